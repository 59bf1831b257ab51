package dev.quarry.convert;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Logs the wall time of each phase of a conversion as it ends ("phase shards: 12.0 s"), so a user
 * sees where a slow run spent its time (quantizing, double quantization, writing shards, checksums
 * for the manifest, committing) without a profiler.
 */
final class PhaseClock {
  private final Consumer<String> log;
  private long phaseStart = System.nanoTime();

  PhaseClock(Consumer<String> log) {
    this.log = log;
  }

  /** Ends the phase that began at the previous call (or at construction) and logs its duration. */
  void ended(String phase) {
    long now = System.nanoTime();
    log.accept(String.format(Locale.ROOT, "phase %s: %.1f s", phase, (now - phaseStart) / 1e9));
    phaseStart = now;
  }
}
