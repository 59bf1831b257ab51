package dev.quarry.kernels;

import java.util.Arrays;

/**
 * The floating-point element types a checkpoint tensor may hold, as they sit in a safetensors
 * file: little-endian, {@link #byteSize()} bytes each.
 */
public enum ElementType {
  F32(4, "F32", "float32"),
  F16(2, "F16", "float16"),
  BF16(2, "BF16", "bfloat16");

  private final int byteSize;
  private final String safetensorsName;
  private final String torchName;

  ElementType(int byteSize, String safetensorsName, String torchName) {
    this.byteSize = byteSize;
    this.safetensorsName = safetensorsName;
    this.torchName = torchName;
  }

  public int byteSize() {
    return byteSize;
  }

  /** The dtype string of a safetensors header ("BF16"). */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The torch dtype name that bitsandbytes writes into a quant_state ("bfloat16"). */
  public String torchName() {
    return torchName;
  }

  /** The element type of a safetensors dtype string, or null when it is not a float type quarry reads. */
  public static ElementType fromSafetensorsName(String dtype) {
    for (ElementType t : values()) {
      if (t.safetensorsName.equals(dtype)) {
        return t;
      }
    }
    return null;
  }

  /** The element type of a torch dtype name ("bfloat16"), or null when it is not one of the three. */
  public static ElementType fromTorchName(String name) {
    for (ElementType t : values()) {
      if (t.torchName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** "float32, float16, bfloat16": what a message says is allowed. */
  public static String torchNames() {
    return String.join(", ", Arrays.stream(values()).map(ElementType::torchName).toList());
  }
}
