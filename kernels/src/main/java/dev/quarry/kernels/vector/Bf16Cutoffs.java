package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per block, the 4-bit cut points of {@link FourBitCuts} moved from the scaled space
 * {@code s = fl(x * inv)} back to the bfloat16 inputs, as {@link Bf16Keys keys}: cut j becomes
 * the largest key whose scaled value does not pass bound j. Since {@code fl(x * inv)} is monotone
 * in x, the code of an input is then a function of how many cut keys lie below its key.
 *
 * <p>How a cut is found: the boundary input {@code x*} of bound T lies within 2^-21 relative of
 * {@code y = fl(T * absmax)} (rcp is within 1.5 ulp of 1/absmax, plus two roundings), far less
 * than half a bfloat16 spacing (> 2^-9 relative). So with g the bfloat16 nearest to y, the cut is
 * g when {@code fl(g * inv) <= T} and the key just below g otherwise. This holds for a block
 * absmax in [2^-100, 2^126): every bound then scales to a normal y, and inputs flushed to zero
 * (subnormals) sit strictly between the cuts around zero, except for the FP4 sign cut, which is
 * capped at the key of {@code -MIN_NORMAL} (an input of smaller magnitude is flushed, so not negative).
 */
final class Bf16Cutoffs {
  /** Block absmax magnitudes (bfloat16 bits) for which the derivation above holds. */
  static final int MIN_FAST_MAGNITUDE = (127 - 100) << 7;
  static final int MAX_FAST_MAGNITUDE_EXCLUSIVE = (127 + 126) << 7;

  /** Ints written per block: the 15 cuts and one unused lane. */
  static final int STRIDE = 16;

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final int KEY_OF_MINUS_MIN_NORMAL = Bf16Keys.key((short) 0x8080);

  private final FloatVector lowBounds;
  private final FloatVector highBounds;
  private final int signCut;

  Bf16Cutoffs(FourBitFormat format) {
    FourBitCuts cuts = FourBitCuts.of(format);
    float[] bounds = new float[STRIDE];
    System.arraycopy(cuts.bounds(), 0, bounds, 0, FourBitCuts.COUNT);
    bounds[STRIDE - 1] = bounds[STRIDE - 2]; // the unused lane repeats the last cut
    this.lowBounds = FloatVector.fromArray(F, bounds, 0);
    this.highBounds = FloatVector.fromArray(F, bounds, F.length());
    this.signCut = cuts.signCutIndex();
  }

  static boolean isFast(int absmaxMagnitude) {
    return absmaxMagnitude >= MIN_FAST_MAGNITUDE && absmaxMagnitude < MAX_FAST_MAGNITUDE_EXCLUSIVE;
  }

  /** Writes the cut keys of a block with this absmax and rcp to {@code cut[off, off + STRIDE)}. */
  void compute(float absmax, float inv, int[] cut, int off) {
    cutKeys(lowBounds, absmax, inv).intoArray(cut, off);
    cutKeys(highBounds, absmax, inv).intoArray(cut, off + F.length());
    if (signCut >= 0) {
      cut[off + signCut] = Math.min(cut[off + signCut], KEY_OF_MINUS_MIN_NORMAL);
    }
  }

  private static IntVector cutKeys(FloatVector bounds, float absmax, float inv) {
    IntVector y = bounds.mul(absmax).reinterpretAsInts();
    // round to the nearest bfloat16 (ties to even) on the sign-magnitude pattern
    IntVector g = y.add(y.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7fff)
        .lanewise(VectorOperators.LSHR, 16);
    VectorMask<Float> within = g.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
        .mul(inv).compare(VectorOperators.LE, bounds);
    IntVector signFill = g.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 31);
    IntVector key = g.and(0x7fff).lanewise(VectorOperators.XOR, signFill);
    return key.sub(1).blend(key, within.cast(IntVector.SPECIES_256));
  }
}
