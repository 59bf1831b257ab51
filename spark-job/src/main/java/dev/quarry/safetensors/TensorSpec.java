package dev.quarry.safetensors;

import java.util.List;

/** A tensor to be written: name, dtype and shape; its byte size follows from them. */
public record TensorSpec(String name, Dtype dtype, List<Long> shape) {

  public TensorSpec {
    shape = List.copyOf(shape);
  }

  public long byteSize() {
    return Math.multiplyExact(TensorEntry.elementCount(shape), (long) dtype.byteSize());
  }
}
