package dev.quarry.report;

import dev.quarry.quantize.KeepReason;
import java.util.Map;

/**
 * The report's colours. Each kind of plot has its own plot-area background, so that a look at the
 * rendered page (and the browser test) can tell the plots apart; marks are flat colours, one per
 * mode, reason or status.
 */
final class Palette {
  static final String SQNR_BACKGROUND = "#eef4fb";
  static final String ERROR_BACKGROUND = "#fbf1e8";
  static final String COMPRESSION_BACKGROUND = "#eef8ee";
  static final String KEPT_BACKGROUND = "#f5eff9";
  static final String TIME_BACKGROUND = "#fbf9e6";
  static final String INPUT_BYTES = "#9e9e9e";
  static final String QUANTIZED = "#4c72b0";
  static final String OTHER_MODE = "#555555";

  private static final Map<String, String> MODES = Map.of("nf4", "#1f77b4", "nf4-dq", "#17becf", "fp4", "#ff7f0e",
      "fp4-dq", "#bcbd22", "int8", "#2ca02c", "int8-training", "#9467bd");
  private static final Map<KeepReason, String> REASONS = Map.of(KeepReason.EMPTY, "#dddddd",
      KeepReason.NOT_A_LINEAR_WEIGHT, "#b0b0b0", KeepReason.SKIP_MODULES, "#e377c2", KeepReason.EMBEDDING, "#8c564b",
      KeepReason.MOE_EXPERTS, "#7f7f00", KeepReason.OUTPUT_HEAD, "#ff9896", KeepReason.MOE_ROUTER, "#c5b0d5",
      KeepReason.DTYPE, "#000000", KeepReason.NON_FINITE, "#d62728");
  private static final Map<String, String> STATUSES = Map.of("converted", "#2ca02c", "up to date", "#98df8a",
      "failed", "#d62728");

  private Palette() {}

  static String mode(String mode) {
    return MODES.getOrDefault(mode, OTHER_MODE);
  }

  static String reason(KeepReason reason) {
    return REASONS.get(reason);
  }

  static String status(String status) {
    return STATUSES.getOrDefault(status, OTHER_MODE);
  }
}
