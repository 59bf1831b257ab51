package dev.quarry.verify;

import java.io.Serializable;

/** How many bytes of a tensor differ between two files, and the offset (in the tensor) of the first. */
public record TensorDifference(String tensor, long differingBytes, long firstOffset) implements Serializable {
  private static final long serialVersionUID = 1L;
}
