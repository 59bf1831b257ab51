package dev.quarry.safetensors;

/**
 * The safetensors element types quarry reads and writes: every whole-byte dtype of the Rust
 * {@code safetensors} crate. The declaration order is the crate's {@code Dtype} enum order, because
 * the crate serializes tensors sorted by that order (descending) and quarry's output must be laid
 * out the same way. The sub-byte types (F4, F6_*) are not supported.
 */
public enum Dtype {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E5M2(1),
  F8_E4M3(1),
  F8_E8M0(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  C64(8),
  F64(8),
  I64(8),
  U64(8);

  private final int byteSize;

  Dtype(int byteSize) {
    this.byteSize = byteSize;
  }

  public int byteSize() {
    return byteSize;
  }

  /** The dtype named by a header string ("BF16"), or null when quarry does not know it. */
  public static Dtype parse(String name) {
    for (Dtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
