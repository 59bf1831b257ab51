package dev.quarry.convert.commit;

import dev.quarry.convert.write.PlacedPiece;
import dev.quarry.convert.write.ShardFile;
import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.CrcComposer;
import org.apache.hadoop.util.CrcUtil;
import org.apache.hadoop.util.DataChecksum;

/**
 * The CRC32C of a whole shard file: composed from the CRCs of the pieces that tile it (what a shard
 * should hold), or computed by reading it (what it holds), to tell a kept shard's bytes from a
 * tampered, torn or stale one without holding either in memory.
 */
final class WholeFileCrc {
  private static final int READ_BUFFER_BYTES = 1 << 20;

  /** A run of the file and the CRC32C of its bytes. */
  record Run(long position, long length, long crc32c) {}

  private WholeFileCrc() {}

  /**
   * The CRC32C of the shard {@code file} whose computed and copied pieces are {@code computed}
   * (as a completion record gives them) and whose other bytes are its fixed pieces.
   */
  static long of(ShardFile file, List<Run> computed) {
    List<Run> runs = new ArrayList<>(computed);
    for (PlacedPiece p : file.fixed()) {
      CRC32C crc = new CRC32C();
      crc.update(p.piece().inline());
      runs.add(new Run(p.position(), p.piece().length(), crc.getValue()));
    }
    runs.sort(Comparator.comparingLong(Run::position));
    CrcComposer composer = CrcComposer.newCrcComposer(DataChecksum.Type.CRC32C, Long.MAX_VALUE);
    long at = 0;
    for (Run r : runs) {
      if (r.position() != at) {
        throw new IllegalStateException(file.path() + ": the planned pieces do not tile the file (a piece at " + r.position()
            + ", the previous ends at " + at + ")");
      }
      if (r.length() > 0) {
        composer.update((int) r.crc32c(), r.length());
      }
      at += r.length();
    }
    if (at != file.length()) {
      throw new IllegalStateException(file.path() + ": the planned pieces end at " + at + " of " + file.length() + " bytes");
    }
    return at == 0 ? new CRC32C().getValue() : Integer.toUnsignedLong(CrcUtil.readInt(composer.digest(), 0));
  }

  /** Reads the file at {@code path} (URI string) and returns the CRC32C of its bytes. */
  static long read(String path) throws IOException {
    Path p = new Path(path);
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[READ_BUFFER_BYTES];
    try (InputStream in = FileSystems.forPath(p).open(p)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue();
  }
}
