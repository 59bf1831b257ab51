package dev.quarry.dequantize;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import java.io.Serializable;
import java.util.List;

/**
 * One tensor of the dequantized checkpoint and how an executor makes it. {@code COPY}: the bytes of
 * {@code data} as they are. {@code FOUR_BIT}: packed codes in {@code data}, absmax in {@code scales}
 * (float32, or uint8 codes with double quantization, then {@code nestedScales} and {@code offset}),
 * of {@code quantType} at {@code blocksize}. {@code INT8}: int8 codes in {@code data}, the float32
 * SCB per row of {@code cols} elements in {@code scales}.
 */
public record DequantTensor(String name, Kind kind, Dtype dtype, List<Long> shape, FileRange data, FileRange scales,
    FileRange nestedScales, String quantType, int blocksize, float offset, long cols) implements Serializable {
  private static final long serialVersionUID = 1L;

  public enum Kind { COPY, FOUR_BIT, INT8 }

  public DequantTensor {
    shape = List.copyOf(shape);
  }

  static DequantTensor copy(String name, Dtype dtype, List<Long> shape, FileRange data) {
    return new DequantTensor(name, Kind.COPY, dtype, shape, data, null, null, null, 0, 0, 0);
  }

  public TensorSpec spec() {
    return new TensorSpec(name, dtype, shape);
  }

  public long elementCount() {
    return spec().byteSize() / dtype.byteSize();
  }

  public boolean doubleQuant() {
    return nestedScales != null;
  }
}
