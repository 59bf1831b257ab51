package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.KernelSupport;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 to float16 bits (int8-training, {@code bnb-exact.md} §5). A bfloat16 in float16's
 * normal range converts exactly by rebiasing the exponent (its 7 mantissa bits fit in 10), and a
 * zero stays a zero. A group of 16 that holds anything else (values needing rounding to the
 * float16 subnormal grid, overflow, inf, NaN) goes to the scalar reference, which also raises
 * the overflow error.
 */
final class Bf16ToFloat16 {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final short MIN_NORMAL_MAGNITUDE = 0x3880; // 2^-14, float16's MIN_NORMAL
  private static final short OVERFLOW_MAGNITUDE = 0x4780; // 65536: rounds to inf in float16
  /** The exponent bias difference (127 - 15) in bfloat16's exponent position. */
  private static final short REBIAS = (127 - 15) << 7;
  /** bfloat16 has 7 mantissa bits, float16 10. */
  private static final int MANTISSA_SHIFT = 3;

  private final KernelSupport fallback;

  Bf16ToFloat16(KernelSupport fallback) {
    this.fallback = fallback;
  }

  void cast(short[] x, int xOff, int n, short[] out, int outOff) {
    int vectorEnd = n - n % S.length();
    for (int i = 0; i < vectorEnd; i += S.length()) {
      ShortVector bits = ShortVector.fromArray(S, x, xOff + i);
      ShortVector magnitude = bits.and((short) 0x7fff);
      VectorMask<Short> zero = magnitude.compare(VectorOperators.EQ, (short) 0);
      VectorMask<Short> exact = magnitude.compare(VectorOperators.GE, MIN_NORMAL_MAGNITUDE)
          .and(magnitude.compare(VectorOperators.LT, OVERFLOW_MAGNITUDE));
      if (exact.or(zero).allTrue()) {
        magnitude.sub(REBIAS).lanewise(VectorOperators.LSHL, MANTISSA_SHIFT)
            .blend((short) 0, zero)
            .or(bits.and((short) 0x8000))
            .intoArray(out, outOff + i);
      } else {
        scalar(x, xOff, i, S.length(), out, outOff);
      }
    }
    if (vectorEnd < n) {
      scalar(x, xOff, vectorEnd, n - vectorEnd, out, outOff);
    }
  }

  private void scalar(short[] x, int xOff, int start, int length, short[] out, int outOff) {
    try {
      fallback.castToFloat16(ElementType.BF16, x, xOff + start, length, out, outOff + start);
    } catch (Float16OverflowException e) {
      throw ShiftedOverflow.of(e, start);
    }
  }
}
