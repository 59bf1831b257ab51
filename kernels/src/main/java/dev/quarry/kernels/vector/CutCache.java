package dev.quarry.kernels.vector;

import java.util.Arrays;

/**
 * The cut keys of recently seen block absmax values (bfloat16 magnitude patterns), direct-mapped.
 * The blocks of a weight tensor share few distinct absmax values (a bfloat16 has 8 significant
 * bits and block maxima cluster within a binade or two), so most blocks skip
 * {@link Bf16Cutoffs#compute}. One instance per call: not thread-safe.
 */
final class CutCache {
  private static final int SLOTS = 128;

  private final Bf16Cutoffs cutoffs;
  private final int[] magnitudeOfSlot = new int[SLOTS];
  private final int[] cuts = new int[SLOTS * Bf16Cutoffs.STRIDE];

  CutCache(Bf16Cutoffs cutoffs) {
    this.cutoffs = cutoffs;
    Arrays.fill(magnitudeOfSlot, -1);
  }

  /** The cut table that {@link #slot(int)} offsets index. */
  int[] cuts() {
    return cuts;
  }

  /**
   * The offset in {@link #cuts()} of the cut keys for a fast-path block absmax, computed if the
   * slot held another magnitude. Valid until the next call.
   */
  int slot(int magnitude) {
    // the 7 mantissa bits spread neighbours; the exponent folded in separates binades
    int slot = (magnitude ^ (magnitude >>> 7)) & (SLOTS - 1);
    int at = slot * Bf16Cutoffs.STRIDE;
    if (magnitudeOfSlot[slot] != magnitude) {
      magnitudeOfSlot[slot] = magnitude;
      cutoffs.compute(Float.intBitsToFloat(magnitude << 16), Bf16Reciprocal.of(magnitude), cuts, at);
    }
    return at;
  }
}
