package dev.quarry.quantize;

/**
 * Why a tensor of a model stays unquantized (copied byte for byte), in the words a report shows:
 * what {@link ModuleSelector} decided, or the values themselves ({@link #NON_FINITE}).
 */
public enum KeepReason {
  EMPTY("empty tensor"),
  NOT_A_LINEAR_WEIGHT("not a Linear weight (bias, norm, buffer, or not 2-D)"),
  SKIP_MODULES("matched by --skip-modules"),
  EMBEDDING("embedding (never a Linear layer)"),
  MOE_EXPERTS("mixture-of-experts experts (fused parameters, not Linear layers)"),
  OUTPUT_HEAD("output head (transformers keeps it; --all-linear quantizes it)"),
  MOE_ROUTER("mixture-of-experts router (transformers keeps it)"),
  DTYPE("dtype no kernel reads (only F32, F16 and BF16 are quantized)"),
  NON_FINITE("NaN or ±inf values (kept by --allow-non-finite)");

  private final String description;

  KeepReason(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
