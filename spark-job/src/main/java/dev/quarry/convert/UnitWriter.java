package dev.quarry.convert;

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
 * ({@link PositionedFiles}): each unit's bytes are computed once and written once, straight to their
 * final places in the shards the driver created, with the CRC32C of each piece for the manifest.
 */
final class UnitWriter {
  private static final int COPY_BUFFER_BYTES = 4 << 20;

  private UnitWriter() {}

  /** Writes every unit of a partition. */
  static List<WrittenPiece> writeAll(Iterable<WriteUnit> units) throws IOException {
    List<WrittenPiece> written = new ArrayList<>();
    try (PositionedFiles files = new PositionedFiles()) {
      for (WriteUnit u : units) {
        if (u.block() == null) {
          written.add(copy(u.pieces().get(0), files));
          continue;
        }
        PlacedPiece first = u.pieces().get(0);
        // the buffer lies in its pages as the codes will in the file; codes that are not written (their
        // shard is kept from an interrupted run: KeptShards) have no position, and any will do
        long position = first.piece().section() == BlockSection.CODES ? first.position() : 0;
        written.addAll(block(u, files, files.buffer(position, Math.toIntExact(BlockSection.CODES.bytes(u.block())))));
      }
    }
    return written;
  }

  /**
   * The block's codes are gathered in {@code codes} (a {@link PositionedFiles#buffer}: direct, as
   * long as a block's codes, so bounded by the block size) and written with one call, directly to
   * the disk where it takes that: written chunk by chunk from the heap, each write paid for a copy
   * into a temporary direct buffer and the file's lock, which two task threads writing one shard
   * then waited on.
   */
  private static List<WrittenPiece> block(WriteUnit u, PositionedFiles files, ByteBuffer codes) throws IOException {
    long planned = BlockSection.CODES.bytes(u.block());
    CRC32C crc = new CRC32C();
    BlockOutput.Constants constants = BlockOutput.compute(u, (bytes, length) -> {
      if (length > codes.remaining()) {
        throw new IllegalStateException("block " + u.block().blockId() + " of '" + u.block().tensor()
            + "' computed more codes than the " + planned + " bytes planned");
      }
      codes.put(bytes, 0, length);
      crc.update(bytes, 0, length);
    });
    if (codes.position() != planned) {
      throw new IllegalStateException("block " + u.block().blockId() + " of '" + u.block().tensor() + "' computed "
          + codes.position() + " bytes of codes, planned " + planned);
    }
    List<WrittenPiece> written = new ArrayList<>();
    for (PlacedPiece p : u.pieces()) {
      // no CODES piece when the codes lie in a shard kept from an interrupted run (KeptShards): computed, not written
      if (p.piece().section() == BlockSection.CODES) {
        files.write(p.file(), p.position(), codes.flip());
        written.add(WrittenPiece.here(p.piece(), crc.getValue(), constants.errors()));
        continue;
      }
      ByteBuffer bytes = constants.section(p.piece().section());
      CRC32C sectionCrc = new CRC32C();
      sectionCrc.update(bytes.duplicate());
      files.write(p.file(), p.position(), bytes);
      written.add(WrittenPiece.here(p.piece(), sectionCrc.getValue(), null));
    }
    return written;
  }

  private static WrittenPiece copy(PlacedPiece p, PositionedFiles files) throws IOException {
    Path input = new Path(p.piece().path());
    byte[] buffer = new byte[(int) Math.min(COPY_BUFFER_BYTES, p.piece().length())];
    CRC32C crc = new CRC32C();
    try (FSDataInputStream in = FileSystems.forPath(input).open(input)) {
      for (long done = 0; done < p.piece().length(); ) {
        int n = (int) Math.min(buffer.length, p.piece().length() - done);
        in.readFully(p.piece().offset() + done, buffer, 0, n);
        crc.update(buffer, 0, n);
        files.write(p.file(), p.position() + done, ByteBuffer.wrap(buffer, 0, n));
        done += n;
      }
    }
    return WrittenPiece.here(p.piece(), crc.getValue(), null);
  }
}
