package dev.quarry.convert;

import java.io.Serializable;

/** A run of bytes of an output tensor: a range of a file (input shard or staging) or small inline bytes. */
public record Piece(String path, long offset, long length, byte[] inline) implements Serializable {
  private static final long serialVersionUID = 1L;

  public static Piece ofFile(String path, long offset, long length) {
    return new Piece(path, offset, length, null);
  }

  public static Piece ofBytes(byte[] bytes) {
    return new Piece(null, 0, bytes.length, bytes);
  }
}
