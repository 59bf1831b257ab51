package dev.quarry.convert.plan;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import java.io.Serializable;
import java.util.List;

/** A tensor of an output shard and the pieces its bytes are concatenated from, in order. */
public record OutputTensorPlan(String name, Dtype dtype, List<Long> shape, List<Piece> pieces) implements Serializable {
  private static final long serialVersionUID = 1L;

  public OutputTensorPlan {
    shape = List.copyOf(shape);
    pieces = List.copyOf(pieces);
    long bytes = pieces.stream().mapToLong(Piece::length).sum();
    long needed = new TensorSpec(name, dtype, shape).byteSize();
    if (bytes != needed) {
      throw new IllegalStateException("output tensor '" + name + "' needs " + needed
          + " bytes but its pieces hold " + bytes);
    }
  }

  public TensorSpec spec() {
    return new TensorSpec(name, dtype, shape);
  }

  public long byteSize() {
    return spec().byteSize();
  }
}
