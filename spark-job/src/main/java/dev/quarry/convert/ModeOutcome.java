package dev.quarry.convert;

import dev.quarry.convert.plan.ConvertOptions;

/**
 * What a run made of one requested mode: its options (mode and output), and its summary or the
 * error that failed it (an {@link java.io.IOException} or a {@link RuntimeException}; its output is
 * then removed).
 */
public record ModeOutcome(ConvertOptions options, ConvertSummary summary, Exception failure) {
  public boolean failed() {
    return failure != null;
  }
}
