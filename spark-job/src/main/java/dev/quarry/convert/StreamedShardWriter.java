package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.WholeFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one output shard as one stream, for stores that take no positioned writes (HDFS, S3A): its
 * pieces in file order — the fixed bytes, copied ranges, and each block's sections computed from the
 * input by {@link BlockOutput} on a few threads ahead of the stream ({@link BlocksComputedAhead}).
 * A block whose sections lie apart in the file is computed once per section. A failed write is
 * abandoned (an object-store upload aborted), never published half-written.
 */
final class StreamedShardWriter {
  private static final int COPY_BUFFER_BYTES = 4 << 20;

  /** A computed piece's bytes and, for a block's codes, its error. */
  private record Computed(byte[] bytes, WrittenPiece written) {}

  private StreamedShardWriter() {}

  /**
   * Streams {@code shard} to {@code destination} and returns the file and what it wrote of the
   * units' pieces (not of the fixed bytes). {@code threads}: how many threads compute blocks ahead of the stream.
   */
  static WrittenShard write(ShardFile shard, List<WriteUnit> units, ShardDestination destination, long attemptId,
      int threads) throws IOException {
    record InFile(PlacedPiece placed, WriteUnit unit) {}
    List<InFile> pieces = new ArrayList<>();
    shard.fixed().forEach(p -> pieces.add(new InFile(p, null)));
    for (WriteUnit u : units) {
      u.pieces().stream().filter(p -> p.file().equals(shard.path())).forEach(p -> pieces.add(new InFile(p, u)));
    }
    pieces.sort(Comparator.comparingLong(p -> p.placed().position()));
    List<BlocksComputedAhead.Computation<Computed>> blocks = new ArrayList<>();
    for (InFile p : pieces) {
      if (p.unit() != null && p.unit().block() != null) {
        blocks.add(() -> compute(p.unit(), p.placed().piece()));
      }
    }
    Path path = destination.path(new Path(shard.path()).getName(), attemptId);
    FileSystem fs = FileSystems.forPath(path);
    List<WrittenPiece> written = new ArrayList<>();
    Map<String, FSDataInputStream> open = new HashMap<>();
    FSDataOutputStream file = NamedOutputStream.createData(fs, path, true);
    try (OutputStream out = NamedOutputStream.wrap(file, path);
        BlocksComputedAhead<Computed> computed = new BlocksComputedAhead<>(blocks, threads)) {
      try {
        long at = 0;
        for (InFile p : pieces) {
          Piece piece = p.placed().piece();
          if (p.placed().position() != at) {
            throw new IllegalStateException(shard.path() + ": piece at " + p.placed().position() + ", stream at " + at);
          }
          if (piece.inline() != null) {
            out.write(piece.inline());
          } else if (piece.block() != null) {
            Computed c = computed.next();
            out.write(c.bytes());
            written.add(c.written());
          } else {
            written.add(copy(open.computeIfAbsent(piece.path(), FileSystems::openUnchecked), piece, out));
          }
          at += piece.length();
        }
        if (at != shard.length()) {
          throw new IllegalStateException(shard.path() + ": wrote " + at + " of " + shard.length() + " bytes");
        }
      } catch (IOException | RuntimeException e) {
        WholeFiles.abandon(file);
        throw e;
      }
    } finally {
      for (FSDataInputStream in : open.values()) {
        in.close();
      }
    }
    return new WrittenShard(path.toString(), shard.path(), written);
  }

  private static Computed compute(WriteUnit unit, Piece piece) throws IOException {
    boolean wantCodes = piece.section() == BlockSection.CODES;
    ByteArrayOutputStream codes = new ByteArrayOutputStream(wantCodes ? (int) piece.length() : 0);
    BlockOutput.Constants constants = BlockOutput.compute(unit, (bytes, length) -> {
      if (wantCodes) {
        codes.write(bytes, 0, length);
      }
    });
    byte[] bytes;
    if (wantCodes) {
      bytes = codes.toByteArray();
    } else {
      ByteBuffer section = constants.section(piece.section());
      bytes = new byte[section.remaining()];
      section.get(bytes);
    }
    if (bytes.length != piece.length()) {
      throw new IllegalStateException("block " + piece.block().blockId() + " of '" + piece.block().tensor() + "' computed "
          + bytes.length + " bytes of " + piece.section() + ", planned " + piece.length());
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return new Computed(bytes, WrittenPiece.here(piece, crc.getValue(), wantCodes ? constants.errors() : null));
  }

  private static WrittenPiece copy(FSDataInputStream in, Piece p, OutputStream out) throws IOException {
    byte[] buffer = new byte[(int) Math.min(COPY_BUFFER_BYTES, p.length())];
    CRC32C crc = new CRC32C();
    for (long done = 0; done < p.length(); ) {
      int n = (int) Math.min(buffer.length, p.length() - done);
      in.readFully(p.offset() + done, buffer, 0, n);
      crc.update(buffer, 0, n);
      out.write(buffer, 0, n);
      done += n;
    }
    return WrittenPiece.here(p, crc.getValue(), null);
  }
}
