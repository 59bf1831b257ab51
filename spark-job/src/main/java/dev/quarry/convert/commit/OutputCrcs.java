package dev.quarry.convert.commit;

import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.OutputTensorPlan;
import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.plan.ShardTask;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.util.CrcComposer;
import org.apache.hadoop.util.CrcUtil;
import org.apache.hadoop.util.DataChecksum;

/**
 * The CRC32C of every output tensor, composed from the CRC32C of its pieces, which executors
 * computed where they wrote them: CRC(A || B) follows from CRC(A), CRC(B) and the length of B
 * (Hadoop's {@link CrcComposer}, the arithmetic of HDFS's composite file checksums), so no tensor is
 * read back or held whole to checksum it.
 */
final class OutputCrcs {
  private OutputCrcs() {}

  /**
   * @param pieceCrcs the CRC32C of every piece that is not inline, as executors wrote it
   * @return shard file name → tensor name → CRC32C
   */
  static Map<String, Map<String, Long>> of(OutputLayout layout, Map<Piece, Long> pieceCrcs) {
    Map<String, Map<String, Long>> crcs = new HashMap<>();
    for (ShardTask shard : layout.shards()) {
      Map<String, Long> tensors = new HashMap<>();
      for (OutputTensorPlan t : shard.tensors()) {
        tensors.put(t.name(), tensorCrc(t, pieceCrcs));
      }
      crcs.put(shard.fileName(), tensors);
    }
    return crcs;
  }

  private static long tensorCrc(OutputTensorPlan t, Map<Piece, Long> pieceCrcs) {
    CrcComposer composer = CrcComposer.newCrcComposer(DataChecksum.Type.CRC32C, Long.MAX_VALUE);
    boolean empty = true;
    for (Piece p : t.pieces()) {
      if (p.length() == 0) {
        continue; // composes to nothing (and an empty composer has no digest)
      }
      empty = false;
      long crc;
      if (p.inline() != null) {
        CRC32C inline = new CRC32C();
        inline.update(p.inline());
        crc = inline.getValue();
      } else {
        Long written = pieceCrcs.get(p);
        if (written == null) {
          throw new IllegalStateException("no CRC32C came back for a piece of '" + t.name() + "'");
        }
        crc = written;
      }
      composer.update((int) crc, p.length());
    }
    return empty ? new CRC32C().getValue() : Integer.toUnsignedLong(CrcUtil.readInt(composer.digest(), 0));
  }
}
