package dev.quarry.convert.inprocess;

import java.util.List;

/**
 * What a quantization of one file did, for the CLI to report; {@code keptNonFinite} says, for each
 * tensor kept unquantized because it holds NaN or ±inf, which value (only with allowNonFinite).
 */
public record QuantizeSummary(int tensorsIn, int quantized, int tensorsOut, long bytesIn, long bytesOut,
    List<String> keptNonFinite) {
  public QuantizeSummary {
    keptNonFinite = List.copyOf(keptNonFinite);
  }
}
