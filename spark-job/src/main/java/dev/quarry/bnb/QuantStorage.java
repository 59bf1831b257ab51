package dev.quarry.bnb;

import dev.quarry.safetensors.Dtype;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bnb_4bit_quant_storage}: the dtype the packed 4-bit codes (two per byte) are stored as. The
 * bytes are the same in each; FSDP + QLoRA training wants them in the model's float dtype. bitsandbytes'
 * {@code quantize_4bit} allocates them as a {@code [(n + 1) / (2 × itemsize), 1]} tensor of that dtype.
 */
public enum QuantStorage {
  UINT8(Dtype.U8, "uint8"),
  BFLOAT16(Dtype.BF16, "bfloat16"),
  FLOAT16(Dtype.F16, "float16"),
  FLOAT32(Dtype.F32, "float32");

  private final Dtype dtype;
  private final String torchName;

  QuantStorage(Dtype dtype, String torchName) {
    this.dtype = dtype;
    this.torchName = torchName;
  }

  public Dtype dtype() {
    return dtype;
  }

  /** The name transformers writes into {@code quantization_config} and the command line takes. */
  public String torchName() {
    return torchName;
  }

  /** The storage of a torch dtype name; IllegalArgumentException naming the allowed ones. */
  public static QuantStorage fromTorchName(String name) {
    for (QuantStorage s : values()) {
      if (s.torchName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown quant storage '" + name + "'; allowed: " + names());
  }

  /** "uint8, bfloat16, float16, float32": what a message says is allowed. */
  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(QuantStorage::torchName).toList());
  }

  /**
   * Whether the packed codes of {@code n} elements fill whole elements of this dtype. bitsandbytes
   * allocates {@code (n + 1) / (2 × itemsize)} of them and its kernel writes all {@code (n + 1) / 2}
   * bytes, past the end where they do not: such a weight has no faithful checkpoint, so it is refused.
   */
  public boolean holds(long n) {
    return (n + 1) / 2 % dtype.byteSize() == 0;
  }

  /** The shape of the packed codes of {@code n} elements (see {@link #holds}). */
  public List<Long> packedShape(long n) {
    return List.of((n + 1) / 2 / dtype.byteSize(), 1L);
  }

  /** Why a weight of {@code n} elements cannot be stored so: the problem of an error naming it. */
  public String refusal(long n) {
    return "its " + n + " elements pack into " + (n + 1) / 2 + " bytes, no whole number of " + torchName
        + " elements: --quant-storage " + torchName + " needs a multiple of " + 2 * dtype.byteSize()
        + " elements (uint8 stores any weight)";
  }
}
