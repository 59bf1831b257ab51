package dev.quarry.safetensors;

import java.util.List;

/**
 * One tensor of a safetensors header: name, dtype, shape and its byte range {@code [begin, end)}
 * relative to the start of the data section.
 */
public record TensorEntry(String name, Dtype dtype, List<Long> shape, long begin, long end) {

  public TensorEntry {
    shape = List.copyOf(shape);
  }

  /** The product of the shape (1 for a scalar). */
  public long elementCount() {
    return elementCount(shape);
  }

  public long byteSize() {
    return end - begin;
  }

  public int rank() {
    return shape.size();
  }

  /** The product of a shape, 1 for the empty shape; throws ArithmeticException on overflow. */
  public static long elementCount(List<Long> shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
