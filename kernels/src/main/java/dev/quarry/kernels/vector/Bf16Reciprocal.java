package dev.quarry.kernels.vector;

import dev.quarry.kernels.GpuMath;

/**
 * The GPU reciprocal of a normal bfloat16 value. Its error depends only on the mantissa
 * ({@code bnb-exact.md} §1) and a bfloat16 has 7 mantissa bits, so 128 entries computed once by
 * {@link GpuMath#rcp(float)} cover every block absmax of the fast path; the exponent is applied by
 * integer arithmetic on the bit pattern, which is exact while the result stays normal.
 */
final class Bf16Reciprocal {
  private static final int[] RCP_OF_ONE_POINT_M_BITS = table();

  private Bf16Reciprocal() {}

  /**
   * {@code rcp} of the positive bfloat16 whose bit pattern is {@code magnitude}; valid for
   * normal values below 2^126 (so that the reciprocal is normal).
   */
  static float of(int magnitude) {
    int unbiasedExponent = (magnitude >> 7) - 127;
    return Float.intBitsToFloat(RCP_OF_ONE_POINT_M_BITS[magnitude & 0x7f] - (unbiasedExponent << 23));
  }

  private static int[] table() {
    int[] bits = new int[128];
    for (int m = 0; m < 128; m++) {
      bits[m] = Float.floatToRawIntBits(GpuMath.rcp(Float.intBitsToFloat((127 << 23) | (m << 16))));
    }
    return bits;
  }
}
