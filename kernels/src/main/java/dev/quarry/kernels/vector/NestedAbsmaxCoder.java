package dev.quarry.kernels.vector;

import dev.quarry.kernels.GpuMath;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Double quantization of absmax values ({@code bnb-exact.md} §3 steps 2–3), byte-identical to
 * {@code ScalarKernelSupport.quantizeNestedAbsmax}: centering, nested absmax, flush-to-zero and
 * scaling in 256-bit vectors of float32 (IEEE arithmetic, so lane for lane what the scalar
 * reference computes), then the codes by {@link DynamicCodeTable} lookups instead of the
 * reference's binary search with its unpredictable branches. Lanes past the last whole vector of
 * a short nested block go the scalar way through {@link GpuMath}.
 */
final class NestedAbsmaxCoder {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final int BLOCKSIZE = NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
  private static final int SIGN = 0x80000000;
  private static final int MAGNITUDE = 0x7fffffff;
  private static final int EXPONENT = 0x7f800000;
  /** Stands for a NaN magnitude in the integer max: below every other magnitude, as fmaxf skips NaN. */
  private static final int SKIPPED = -1;

  void quantize(float[] absmax, int off, int n, float offset, byte[] codes, int codesOff,
      float[] nestedAbsmax, int nestedOff) {
    int[] blockCodes = new int[Math.min(n, BLOCKSIZE)];
    int[] indexes = new int[Math.min(n, BLOCKSIZE)];
    for (int start = 0, b = 0; start < n; start += BLOCKSIZE, b++) {
      int length = Math.min(BLOCKSIZE, n - start);
      float blockAbsmax = blockAbsmax(absmax, off + start, length, offset);
      code(absmax, off + start, length, offset, GpuMath.rcp(blockAbsmax), blockCodes, indexes);
      for (int i = 0; i < length; i++) {
        codes[codesOff + start + i] = (byte) blockCodes[i];
      }
      nestedAbsmax[nestedOff + b] = blockAbsmax;
    }
  }

  /**
   * {@code BlockAbsmax.of} of the centered values, as an integer max over the magnitude bits of
   * the flushed values (their order is that of |x|), NaN lanes {@link #SKIPPED}. The reduction
   * starts where the kernel's does: -FLT_MAX for a full block (kept only when every value is
   * NaN), 0 for a short one (the padding zeros take part).
   */
  private static float blockAbsmax(float[] x, int off, int length, float offset) {
    int vectorEnd = length - length % I.length();
    IntVector lanes = IntVector.broadcast(I, SKIPPED);
    for (int i = 0; i < vectorEnd; i += I.length()) {
      IntVector magnitude = ftz(FloatVector.fromArray(F, x, off + i).sub(offset).reinterpretAsInts()).and(MAGNITUDE);
      lanes = lanes.max(magnitude.blend(SKIPPED, magnitude.compare(VectorOperators.GT, EXPONENT)));
    }
    int max = lanes.reduceLanes(VectorOperators.MAX);
    for (int i = vectorEnd; i < length; i++) {
      float magnitude = Math.abs(GpuMath.ftz(x[off + i] - offset));
      if (!Float.isNaN(magnitude)) {
        max = Math.max(max, Float.floatToRawIntBits(magnitude));
      }
    }
    if (max == SKIPPED) {
      return length < BLOCKSIZE ? 0f : -Float.MAX_VALUE;
    }
    return Float.intBitsToFloat(max); // a magnitude, so never below the short block's start of +0
  }

  /** The code of {@code FTZ(FTZ(x - offset) * inv)} per value, into {@code codes[0, length)}. */
  private static void code(float[] x, int off, int length, float offset, float inv, int[] codes, int[] indexes) {
    int vectorEnd = length - length % F.length();
    for (int i = 0; i < vectorEnd; i += F.length()) {
      FloatVector centered = ftz(FloatVector.fromArray(F, x, off + i).sub(offset).reinterpretAsInts()).reinterpretAsFloats();
      DynamicCodeTable.codes(ftz(centered.mul(inv).reinterpretAsInts()), indexes, i).intoArray(codes, i);
    }
    for (int i = vectorEnd; i < length; i++) {
      codes[i] = DynamicCodeTable.code(Float.floatToRawIntBits(GpuMath.ftz(GpuMath.ftz(x[off + i] - offset) * inv)));
    }
  }

  /** Flush-to-zero on float bits: a zero exponent (subnormal) keeps only the sign. */
  private static IntVector ftz(IntVector bits) {
    VectorMask<Integer> subnormal = bits.and(EXPONENT).compare(VectorOperators.EQ, 0);
    return bits.blend(bits.and(SIGN), subnormal);
  }
}
