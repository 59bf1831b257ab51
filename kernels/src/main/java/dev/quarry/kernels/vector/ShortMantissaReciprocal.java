package dev.quarry.kernels.vector;

import dev.quarry.kernels.GpuMath;

/**
 * {@link GpuMath#rcp(float)} of values with at most 10 stored mantissa bits, which every
 * bfloat16 (7) and float16 (10, subnormals included once normalised to float32) value has. The
 * GPU's error depends only on the mantissa ({@code bnb-exact.md} §1), so 1024 entries computed
 * once replace lookups into the 2 MiB error table, which miss the cache on every block absmax.
 * The exponent is applied by integer arithmetic on the bit pattern, exact while the result is normal.
 */
final class ShortMantissaReciprocal {
  private static final int STORED_BITS = 10;
  private static final int DROPPED_BITS = 23 - STORED_BITS;
  private static final int[] RCP_OF_ONE_POINT_M_BITS = table();

  private ShortMantissaReciprocal() {}

  /**
   * {@code rcp(value)} for a positive normal float whose low 13 mantissa bits are zero and whose
   * reciprocal is normal (value below 2^126).
   */
  static float of(float value) {
    int bits = Float.floatToRawIntBits(value);
    int unbiasedExponent = (bits >>> 23) - 127;
    return Float.intBitsToFloat(RCP_OF_ONE_POINT_M_BITS[(bits >>> DROPPED_BITS) & ((1 << STORED_BITS) - 1)]
        - (unbiasedExponent << 23));
  }

  private static int[] table() {
    int[] bits = new int[1 << STORED_BITS];
    for (int m = 0; m < bits.length; m++) {
      bits[m] = Float.floatToRawIntBits(GpuMath.rcp(Float.intBitsToFloat((127 << 23) | (m << DROPPED_BITS))));
    }
    return bits;
  }
}
