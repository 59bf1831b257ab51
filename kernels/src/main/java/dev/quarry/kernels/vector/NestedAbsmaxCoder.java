package dev.quarry.kernels.vector;

import dev.quarry.kernels.GpuMath;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import java.util.Arrays;
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
 * reference's binary search with its unpredictable branches.
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
    // whole vectors even for a short block, which is read from a copy padded to a whole vector
    int[] blockCodes = new int[BLOCKSIZE];
    int[] indexes = new int[BLOCKSIZE];
    int[] maxLanes = new int[I.length()];
    float[] padded = new float[BLOCKSIZE];
    for (int start = 0, b = 0; start < n; start += BLOCKSIZE, b++) {
      int length = Math.min(BLOCKSIZE, n - start);
      float[] x = absmax;
      int at = off + start;
      if (length % F.length() != 0) {
        // the lanes past the length centre to +0 (offset - offset), as the kernel's padding zeros
        System.arraycopy(absmax, at, padded, 0, length);
        Arrays.fill(padded, length, length + F.length() - length % F.length(), offset);
        x = padded;
        at = 0;
      }
      float blockAbsmax = blockAbsmax(x, at, length, offset, maxLanes);
      code(x, at, length, offset, GpuMath.rcp(blockAbsmax), blockCodes, indexes);
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
   * NaN), 0 for a short one (the padding zeros take part, as the lanes past its length do here).
   * The lanes' maxima go through {@code maxLanes} rather than a vector carried around the loop,
   * whose class C2 would know only from a profile (see {@link Bf16FourBitQuantizer}).
   */
  private static float blockAbsmax(float[] x, int off, int length, float offset, int[] maxLanes) {
    Arrays.fill(maxLanes, SKIPPED);
    for (int i = 0; i < length; i += I.length()) {
      IntVector magnitude = flushedCentered(x, off + i, offset).and(MAGNITUDE);
      IntVector.fromArray(I, maxLanes, 0)
          .max(magnitude.blend(SKIPPED, magnitude.compare(VectorOperators.GT, EXPONENT))).intoArray(maxLanes, 0);
    }
    int max = IntVector.fromArray(I, maxLanes, 0).reduceLanes(VectorOperators.MAX);
    if (max == SKIPPED) {
      return length < BLOCKSIZE ? 0f : -Float.MAX_VALUE;
    }
    return Float.intBitsToFloat(max); // a magnitude, so never below the short block's start of +0
  }

  /** The code of {@code FTZ(FTZ(x - offset) * inv)} per value, into {@code codes[0, length)} (and junk up to the vector's end). */
  private static void code(float[] x, int off, int length, float offset, float inv, int[] codes, int[] indexes) {
    for (int i = 0; i < length; i += F.length()) {
      FloatVector scaled = flushedCentered(x, off + i, offset).reinterpretAsFloats().mul(inv);
      DynamicCodeTable.codes(ftz(scaled.reinterpretAsInts()), indexes, i).intoArray(codes, i);
    }
  }

  /** The bits of {@code FTZ(x - offset)} for {@code x[at, at + 8)}. */
  private static IntVector flushedCentered(float[] x, int at, float offset) {
    return ftz(FloatVector.fromArray(F, x, at).sub(offset).reinterpretAsInts());
  }

  /** Flush-to-zero on float bits: a zero exponent (subnormal) keeps only the sign. */
  private static IntVector ftz(IntVector bits) {
    VectorMask<Integer> subnormal = bits.and(EXPONENT).compare(VectorOperators.EQ, 0);
    return bits.blend(bits.and(SIGN), subnormal);
  }
}
