package dev.quarry.dequantize;

import java.io.Serializable;

/** {@code length} bytes of a file (URI string) from position {@code offset}. */
public record FileRange(String file, long offset, long length) implements Serializable {
  private static final long serialVersionUID = 1L;
}
