package dev.quarry.verify;

import java.io.Serializable;

/** The same tensor in two files (URI strings), at file positions {@code offsetA} and {@code offsetB}. */
public record TensorPair(String tensor, String fileA, long offsetA, String fileB, long offsetB, long length)
    implements Serializable {
  private static final long serialVersionUID = 1L;
}
