package dev.quarry.quantize;

import dev.quarry.kernels.FourBitFormat;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The six quantization modes of Lightning Fabric's {@code BitsandbytesPrecision}. */
public enum QuantMode {
  NF4("nf4", FourBitFormat.NF4, false),
  NF4_DQ("nf4-dq", FourBitFormat.NF4, true),
  FP4("fp4", FourBitFormat.FP4, false),
  FP4_DQ("fp4-dq", FourBitFormat.FP4, true),
  /** LLM.int8 weights: int8 codes plus a float32 scale per row. */
  INT8("int8", null, false),
  /** Weights kept in float16 ({@code has_fp16_weights=True}); quantized at every forward pass. */
  INT8_TRAINING("int8-training", null, false);

  private final String cliName;
  private final FourBitFormat format;
  private final boolean doubleQuant;

  QuantMode(String cliName, FourBitFormat format, boolean doubleQuant) {
    this.cliName = cliName;
    this.format = format;
    this.doubleQuant = doubleQuant;
  }

  /** The name on the command line and in Fabric ("nf4-dq"). */
  public String cliName() {
    return cliName;
  }

  /** The 4-bit codebook, or null for the int8 modes. */
  public FourBitFormat fourBitFormat() {
    return format;
  }

  public boolean isFourBit() {
    return format != null;
  }

  /** Whether the absmax constants are themselves quantized ({@code compress_statistics=True}). */
  public boolean doubleQuant() {
    return doubleQuant;
  }

  public static QuantMode fromCliName(String name) {
    for (QuantMode m : values()) {
      if (m.cliName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode '" + name + "' (expected one of " + cliNames() + ")");
  }

  /** "nf4, nf4-dq, …" for help and error texts. */
  public static String cliNames() {
    return Arrays.stream(values()).map(QuantMode::cliName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
