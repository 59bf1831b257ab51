package dev.quarry.safetensors;

import java.util.List;

/**
 * One tensor of a checkpoint: name, dtype, shape and its byte range {@code [begin, end)} relative to
 * the start of the data section of its file. A safetensors tensor is always row-major; a PyTorch
 * pickle may hold a 2-D tensor column-major ({@code columnMajor}), whose bytes are then those of its
 * transpose ({@code [shape[1], shape[0]]}) in row-major order.
 */
public record TensorEntry(String name, Dtype dtype, List<Long> shape, long begin, long end, boolean columnMajor) {

  public TensorEntry {
    shape = List.copyOf(shape);
  }

  /** A row-major tensor, as every safetensors tensor is. */
  public TensorEntry(String name, Dtype dtype, List<Long> shape, long begin, long end) {
    this(name, dtype, shape, begin, end, false);
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

  /** The shape of the bytes as they lie in the file, row-major: the transpose's for a column-major tensor. */
  public List<Long> storedShape() {
    return columnMajor ? List.of(shape.get(1), shape.get(0)) : shape;
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
