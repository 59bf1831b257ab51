package dev.quarry.bnb;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import java.util.List;

/**
 * One tensor the format writes for a converted weight: its name, dtype and shape, and what it holds:
 * bytes computed from the weight's data ({@link Content#CODES}, {@link Content#SCALES},
 * {@link Content#NESTED_SCALES}) or constant bytes known from the format alone (codebooks,
 * quant_state text, {@code weight_format}).
 *
 * @param constant the bytes of a {@link Content#CONSTANT} tensor, else null
 */
public record FormatTensor(String name, Dtype dtype, List<Long> shape, Content content, byte[] constant) {
  /** What a tensor of the format holds. */
  public enum Content {
    /** Packed 4-bit codes, int8 codes, or (int8-training) float16 values. */
    CODES,
    /** float32 absmax per block; under double quantization their uint8 codes; int8's float32 SCB per row. */
    SCALES,
    /** Double quantization: float32 absmax of each 256 absmax values. */
    NESTED_SCALES,
    /** Bytes that do not depend on the data. */
    CONSTANT
  }

  public FormatTensor {
    shape = List.copyOf(shape);
  }

  static FormatTensor computed(String name, Dtype dtype, List<Long> shape, Content content) {
    return new FormatTensor(name, dtype, shape, content, null);
  }

  static FormatTensor constant(String name, Dtype dtype, List<Long> shape, byte[] bytes) {
    return new FormatTensor(name, dtype, shape, Content.CONSTANT, bytes);
  }

  public TensorSpec spec() {
    return new TensorSpec(name, dtype, shape);
  }
}
