package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;

/**
 * Per block, the cut points of {@link FourBitCuts} moved from the scaled space
 * {@code s = fl(x * inv)} back to the 16-bit inputs, as {@link HalfType#key keys}: cut j is the
 * largest key whose scaled value does not pass bound j. Since {@code fl(x * inv)} is monotone in
 * x, the code of an input is then a function of how many cut keys lie below its key.
 *
 * <p>How a cut is found: the boundary input {@code x*} of bound T lies within 2^-21 relative of
 * {@code y = fl(T * absmax)} (rcp is within 1.5 ulp of 1/absmax, plus two roundings), far less
 * than half a bfloat16 or float16 spacing (> 2^-9 relative; for float16 subnormals the absolute
 * spacing 2^-24 dwarfs the error). So with g the value nearest to y, the cut is g when
 * {@code fl(g * inv) <= T} and the key just below g otherwise. This holds for the fast absmax
 * range of {@link HalfType}: every bound then scales to a value the analysis covers, and inputs
 * flushed to zero sit strictly between the cuts around zero, except for the FP4 sign cut, which
 * is capped at the key of the smallest negative input that is not flushed.
 */
final class CutKeys {
  private final HalfType type;
  private final float[] bounds;
  private final int signCut;

  CutKeys(FourBitFormat format, HalfType type) {
    FourBitCuts cuts = FourBitCuts.of(format);
    this.type = type;
    this.bounds = cuts.bounds();
    this.signCut = cuts.signCutIndex();
  }

  /** Writes the cut keys of a block with this absmax magnitude pattern to {@code cut[off, off + 15)}. */
  void compute(int absmaxMagnitude, int[] cut, int off) {
    float absmax = type.widen(absmaxMagnitude);
    float inv = ShortMantissaReciprocal.of(absmax);
    for (int j = 0; j < bounds.length; j++) {
      int g = type.nearest(bounds[j] * absmax);
      int key = HalfType.key(g);
      cut[off + j] = type.widen(g) * inv <= bounds[j] ? key : key - 1;
    }
    if (signCut >= 0) {
      cut[off + signCut] = Math.min(cut[off + signCut], type.smallestNegativeKey());
    }
  }
}
