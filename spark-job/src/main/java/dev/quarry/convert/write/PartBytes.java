package dev.quarry.convert.write;

import dev.quarry.convert.write.UploadPart.PartPiece;
import dev.quarry.convert.plan.BlockSection;
import dev.quarry.convert.plan.Piece;
import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

/**
 * The bytes of one {@link UploadPart}, produced as the uploader reads them: piece after piece, each
 * computed when the stream reaches it, so the part is never held whole. At most one block's section
 * (bounded by the block size) or one copy buffer is held, plus the scales of blocks whose codes this
 * part computed and whose scales lie later in the same part (a tensor's scales follow all of its
 * codes), so that such a block is computed once. Records what it wrote of each piece.
 */
public final class PartBytes extends InputStream {
  private static final int COPY_BUFFER_BYTES = 4 << 20;

  private final UploadPart part;
  private final Iterator<PartPiece> pieces;
  /** Pieces of each block still ahead in this part. */
  private final Map<Integer, Integer> piecesAhead = new HashMap<>();
  private final Map<Integer, BlockOutput.Constants> kept = new HashMap<>();
  private final List<WrittenRange> written = new ArrayList<>();
  private byte[] chunk = new byte[0];
  private int at;
  private int end;
  private CopiedRange copy;
  private long produced;
  private Exception failure;

  public PartBytes(UploadPart part) {
    this.part = part;
    this.pieces = part.pieces().iterator();
    for (PartPiece p : part.pieces()) {
      if (p.unit() != null) {
        piecesAhead.merge(p.unit().block().blockId(), 1, Integer::sum);
      }
    }
  }

  List<WrittenRange> written() {
    return written;
  }

  /**
   * The failure that stopped the bytes (the input changed, a NaN, an I/O error), as it was: the uploader
   * reading them may have wrapped it in its own.
   */
  public void rethrowFailure() throws IOException {
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
  }

  /** Checks that the uploader took every byte of the part and that the pieces gave exactly as many. */
  public void requireComplete() throws IOException {
    if (produced != part.length() || advance()) {
      throw new IllegalStateException(part.shard() + ": part " + part.number() + " has " + part.length()
          + " bytes, " + produced + " were uploaded or more remain");
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (at == end && !advance()) {
      return -1;
    }
    int n = Math.min(len, end - at);
    System.arraycopy(chunk, at, b, off, n);
    at += n;
    produced += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    if (copy != null) {
      copy.in.close();
      copy = null;
    }
  }

  /** Moves to the next non-empty chunk; false at the end of the part. */
  private boolean advance() throws IOException {
    try {
      while (true) {
        if (copy != null && copy.next()) {
          return true;
        }
        close();
        if (!pieces.hasNext()) {
          return false;
        }
        PartPiece p = pieces.next();
        long position = p.placed().position();
        long from = Math.max(part.start(), position) - position;
        long to = Math.min(part.end(), p.end()) - position;
        Piece piece = p.placed().piece();
        if (piece.inline() != null) {
          setChunk(piece.inline(), (int) from, (int) to);
        } else if (piece.block() != null) {
          section(p, (int) from, (int) to);
        } else {
          copy = new CopiedRange(piece, from, to);
        }
        if (at < end) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
  }

  private void setChunk(byte[] bytes, int from, int to) {
    chunk = bytes;
    at = from;
    end = to;
  }

  /** A block's section, computed here unless this part computed the block already for its codes. */
  private void section(PartPiece p, int from, int to) throws IOException {
    Piece piece = p.placed().piece();
    int block = piece.block().blockId();
    boolean codes = piece.section() == BlockSection.CODES;
    byte[] codeBytes = codes ? new byte[Math.toIntExact(piece.length())] : null;
    BlockOutput.Constants constants = kept.get(block);
    if (constants == null || codes) {
      int[] filled = {0};
      constants = BlockOutput.compute(p.unit(), (b, length) -> {
        if (codes) {
          if (length > codeBytes.length - filled[0]) {
            throw new IllegalStateException("block " + block + " of '" + piece.block().tensor()
                + "' computed more codes than the " + codeBytes.length + " bytes planned");
          }
          System.arraycopy(b, 0, codeBytes, filled[0], length);
        }
        filled[0] += length;
      });
      if (filled[0] != BlockSection.CODES.bytes(piece.block())) {
        throw new IllegalStateException("block " + block + " of '" + piece.block().tensor() + "' computed "
            + filled[0] + " bytes of codes, planned " + BlockSection.CODES.bytes(piece.block()));
      }
    }
    if (piecesAhead.merge(block, -1, Integer::sum) > 0) {
      kept.put(block, constants);
    } else {
      kept.remove(block);
    }
    byte[] bytes = codeBytes;
    if (!codes) {
      ByteBuffer section = constants.section(piece.section());
      if (section.remaining() != piece.length()) {
        throw new IllegalStateException("block " + block + " of '" + piece.block().tensor() + "' computed "
            + section.remaining() + " bytes of " + piece.section() + ", planned " + piece.length());
      }
      bytes = new byte[section.remaining()];
      section.get(bytes);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, to - from);
    written.add(new WrittenRange(piece, from, to - from, crc.getValue(), codes && from == 0 ? constants.errors() : null));
    setChunk(bytes, from, to);
  }

  /** A range of a copied tensor, read in buffers of a few MiB. */
  private final class CopiedRange {
    private final Piece piece;
    private final long from;
    private final long to;
    private final FSDataInputStream in;
    private final CRC32C crc = new CRC32C();
    private final byte[] buffer;
    private long done;
    private boolean recorded;

    CopiedRange(Piece piece, long from, long to) throws IOException {
      this.piece = piece;
      this.from = from;
      this.to = to;
      Path input = new Path(piece.path());
      this.in = FileSystems.forPath(input).open(input);
      this.buffer = new byte[(int) Math.min(COPY_BUFFER_BYTES, to - from)];
    }

    /** Reads the next buffer into the chunk; at the end, records the range and returns false. */
    boolean next() throws IOException {
      if (from + done == to) {
        if (!recorded) {
          written.add(new WrittenRange(piece, from, to - from, crc.getValue(), null));
          recorded = true;
        }
        return false;
      }
      int n = (int) Math.min(buffer.length, to - from - done);
      in.readFully(piece.offset() + from + done, buffer, 0, n);
      crc.update(buffer, 0, n);
      done += n;
      setChunk(buffer, 0, n);
      return true;
    }
  }
}
