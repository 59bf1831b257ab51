package dev.quarry.convert;

import java.io.Serializable;

/**
 * A run of bytes of an output tensor: a range of a file (input shard or staging), small inline
 * bytes, or the primary bytes of a block computed from the input again ({@code block}, whose first
 * pass computed bytes with CRC32C {@code crc}).
 */
public record Piece(String path, long offset, long length, byte[] inline, BlockTask block, long crc)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  public static Piece ofFile(String path, long offset, long length) {
    return new Piece(path, offset, length, null, null, 0);
  }

  public static Piece ofBytes(byte[] bytes) {
    return new Piece(null, 0, bytes.length, bytes, null, 0);
  }

  public static Piece ofBlock(BlockTask block, long length, long crc) {
    return new Piece(null, 0, length, null, block, crc);
  }
}
