package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import java.util.Arrays;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cut keys of recently seen block absmax values (magnitude patterns), direct-mapped. The
 * blocks of a weight tensor share few distinct absmax values (block maxima cluster within a binade
 * or two), so most blocks skip {@link CutKeys#compute}. Each cut key is kept spread over a whole vector, so that the code
 * loop reads it as a memory operand (C2 would otherwise broadcast every cut anew for every vector).
 * One instance per call: not thread-safe.
 */
final class CutCache {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int SLOTS = 256;
  /** Shorts per slot: the 15 cut keys, each as a whole vector. */
  private static final int SLOT_SHORTS = FourBitCuts.COUNT * 16;

  private final CutKeys cutKeys;
  private final int mantissaBits;
  private final int[] magnitudeOfSlot = new int[SLOTS];
  private final short[] wide = new short[SLOTS * SLOT_SHORTS];
  private final int[] cuts = new int[FourBitCuts.COUNT];

  CutCache(CutKeys cutKeys, HalfType type) {
    this.cutKeys = cutKeys;
    this.mantissaBits = type.mantissaBits();
    Arrays.fill(magnitudeOfSlot, -1);
  }

  /** The spread cut keys: cut j of the slot at offset {@code at} fills {@code [at + 16 j, at + 16 j + 16)}. */
  short[] wide() {
    return wide;
  }

  /**
   * The offset in {@link #wide()} of the cut keys for a fast-path block absmax, computed if the
   * slot held another magnitude. Valid until the next call.
   */
  int slot(int magnitude) {
    // the low mantissa bits spread neighbours; the exponent folded in separates binades
    int slot = (magnitude ^ (magnitude >>> mantissaBits)) & (SLOTS - 1);
    int at = slot * SLOT_SHORTS;
    if (magnitudeOfSlot[slot] != magnitude) {
      magnitudeOfSlot[slot] = magnitude;
      cutKeys.compute(magnitude, cuts, 0);
      for (int j = 0; j < FourBitCuts.COUNT; j++) {
        ShortVector.broadcast(S, (short) cuts[j]).intoArray(wide, at + j * S.length());
      }
    }
    return at;
  }
}
