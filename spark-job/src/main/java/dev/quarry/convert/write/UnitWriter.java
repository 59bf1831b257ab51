package dev.quarry.convert.write;

import dev.quarry.convert.plan.BlockSection;
import dev.quarry.convert.plan.Piece;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.PositionedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

/**
 * The quantize-and-write pass on an executor, for outputs that take positioned writes
 * ({@link PositionedFiles}): each read unit's input is read once, its bytes for every mode computed
 * once and written once, straight to their final places in the shards the driver created, with the
 * CRC32C of each piece for the manifest. A mode whose kernels refuse a block, or whose output
 * refuses a write, is reported failed for it ({@link WriteOutcome}); the other modes go on.
 */
public final class UnitWriter {
  private static final int COPY_BUFFER_BYTES = 4 << 20;

  private UnitWriter() {}

  /**
   * Writes the units of one conversion (quarry quantize's threads), each read on its own; throws what
   * failed first.
   */
  public static List<WrittenPiece> writeAll(Iterable<WriteUnit> units) throws IOException {
    List<ReadUnit> reads = new ArrayList<>();
    units.forEach(u -> reads.add(new ReadUnit(List.of(0), List.of(u))));
    List<WrittenPiece> written = new ArrayList<>();
    for (WriteOutcome w : writeReads(reads)) {
      if (w.failure() != null) {
        throw w.failure();
      }
      written.add(w.piece());
    }
    return written;
  }

  /** Writes every read unit of a partition. */
  static List<WriteOutcome> writeReads(List<ReadUnit> reads) throws IOException {
    List<WriteOutcome> outcomes = new ArrayList<>();
    int modes = reads.stream().mapToInt(r -> r.units().size()).max().orElse(1);
    try (PositionedFiles files = new PositionedFiles(modes)) {
      for (ReadUnit r : reads) {
        if (r.copies()) {
          outcomes.addAll(copy(r, files));
          continue;
        }
        List<ByteBuffer> codes = new ArrayList<>();
        for (WriteUnit u : r.units()) {
          PlacedPiece first = u.pieces().get(0);
          // the buffer lies in its pages as the codes will in the file; codes that are not written (their
          // shard is kept from an interrupted run: KeptShards) have no position, and any will do
          long position = first.piece().section() == BlockSection.CODES ? first.position() : 0;
          codes.add(files.buffer(position, Math.toIntExact(BlockSection.CODES.bytes(u.block()))));
        }
        outcomes.addAll(block(r, files, codes));
      }
    }
    return outcomes;
  }

  /**
   * Each mode's codes of the block are gathered in its buffer of {@code codes} (a
   * {@link PositionedFiles#buffer}: direct, as long as a block's codes, so bounded by the block size)
   * and written with one call, directly to the disk where it takes that: written chunk by chunk from
   * the heap, each write paid for a copy into a temporary direct buffer and the file's lock, which two
   * task threads writing one shard then waited on.
   */
  private static List<WriteOutcome> block(ReadUnit r, PositionedFiles files, List<ByteBuffer> codes) throws IOException {
    List<CRC32C> crcs = new ArrayList<>();
    List<BlockKernels.Sink> sinks = new ArrayList<>();
    for (int i = 0; i < r.units().size(); i++) {
      WriteUnit u = r.units().get(i);
      ByteBuffer into = codes.get(i);
      CRC32C crc = new CRC32C();
      crcs.add(crc);
      sinks.add((bytes, length) -> {
        if (length > into.remaining()) {
          throw new IllegalStateException("block " + u.block().blockId() + " of '" + u.block().tensor()
              + "' computed more codes than the " + BlockSection.CODES.bytes(u.block()) + " bytes planned");
        }
        into.put(bytes, 0, length);
        crc.update(bytes, 0, length);
      });
    }
    List<BlockOutput.Outcome> computed = BlockOutput.computeAll(r.units(), sinks);
    List<WriteOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < r.units().size(); i++) {
      int output = r.outputs().get(i);
      if (computed.get(i).failure() != null) {
        outcomes.add(WriteOutcome.failed(output, computed.get(i).failure()));
        continue;
      }
      try {
        outcomes.addAll(write(output, r.units().get(i), computed.get(i).constants(), codes.get(i), crcs.get(i), files));
      } catch (IOException e) {
        outcomes.add(WriteOutcome.failed(output, e));
      }
    }
    return outcomes;
  }

  /** One mode's sections of a computed block, each at its place. */
  private static List<WriteOutcome> write(int output, WriteUnit u, BlockOutput.Constants constants, ByteBuffer codes,
      CRC32C codesCrc, PositionedFiles files) throws IOException {
    long planned = BlockSection.CODES.bytes(u.block());
    if (codes.position() != planned) {
      throw new IllegalStateException("block " + u.block().blockId() + " of '" + u.block().tensor() + "' computed "
          + codes.position() + " bytes of codes, planned " + planned);
    }
    List<WriteOutcome> written = new ArrayList<>();
    for (PlacedPiece p : u.pieces()) {
      // no CODES piece when the codes lie in a shard kept from an interrupted run (KeptShards): computed, not written
      if (p.piece().section() == BlockSection.CODES) {
        files.write(p.file(), p.position(), codes.flip());
        written.add(WriteOutcome.written(output, WrittenPiece.here(p.piece(), codesCrc.getValue(), constants.errors())));
        continue;
      }
      ByteBuffer bytes = constants.section(p.piece().section());
      CRC32C sectionCrc = new CRC32C();
      sectionCrc.update(bytes.duplicate());
      files.write(p.file(), p.position(), bytes);
      written.add(WriteOutcome.written(output, WrittenPiece.here(p.piece(), sectionCrc.getValue(), null)));
    }
    return written;
  }

  /** A copied tensor's input range, read once and written to the output of every mode that copies it. */
  private static List<WriteOutcome> copy(ReadUnit r, PositionedFiles files) throws IOException {
    Piece source = r.units().get(0).pieces().get(0).piece();
    Path input = new Path(source.path());
    byte[] buffer = new byte[(int) Math.min(COPY_BUFFER_BYTES, source.length())];
    CRC32C crc = new CRC32C();
    IOException[] failures = new IOException[r.units().size()];
    try (FSDataInputStream in = FileSystems.forPath(input).open(input)) {
      for (long done = 0; done < source.length(); ) {
        int n = (int) Math.min(buffer.length, source.length() - done);
        in.readFully(source.offset() + done, buffer, 0, n);
        crc.update(buffer, 0, n);
        for (int i = 0; i < failures.length; i++) {
          PlacedPiece p = r.units().get(i).pieces().get(0);
          try {
            if (failures[i] == null) {
              files.write(p.file(), p.position() + done, ByteBuffer.wrap(buffer, 0, n));
            }
          } catch (IOException e) {
            failures[i] = e;
          }
        }
        done += n;
      }
    }
    List<WriteOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < failures.length; i++) {
      int output = r.outputs().get(i);
      outcomes.add(failures[i] != null ? WriteOutcome.failed(output, failures[i])
          : WriteOutcome.written(output, WrittenPiece.here(r.units().get(i).pieces().get(0).piece(), crc.getValue(), null)));
    }
    return outcomes;
  }
}
