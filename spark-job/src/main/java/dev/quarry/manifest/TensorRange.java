package dev.quarry.manifest;

import java.io.Serializable;

/** The bytes of one tensor in a file: {@code length} bytes from file position {@code offset}. */
public record TensorRange(String tensor, long offset, long length) implements Serializable {
  private static final long serialVersionUID = 1L;
}
