package dev.quarry.convert.plan;

import java.io.Serializable;

/**
 * A run of bytes of an output tensor: a range of an input file (a tensor copied unchanged), small
 * inline bytes (codebooks, quant_state), or one {@link BlockSection} of a block of work, computed
 * from the input where it is written.
 */
public record Piece(String path, long offset, long length, byte[] inline, BlockTask block, BlockSection section)
    implements Serializable {
  private static final long serialVersionUID = 3L;

  public static Piece ofFile(String path, long offset, long length) {
    return new Piece(path, offset, length, null, null, null);
  }

  public static Piece ofBytes(byte[] bytes) {
    return new Piece(null, 0, bytes.length, bytes, null, null);
  }

  public static Piece ofBlock(BlockTask block, BlockSection section) {
    return new Piece(null, 0, section.bytes(block), null, block, section);
  }
}
