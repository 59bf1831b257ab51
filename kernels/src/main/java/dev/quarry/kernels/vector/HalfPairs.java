package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Widens 16-bit floats read as pairs (16-bit elements loaded as shorts and reinterpreted as ints:
 * the even element in the low half of each 32-bit lane, the odd one in the high half) to float32,
 * exactly, in two vectors: the even elements and the odd ones.
 */
final class HalfPairs {
  /** Float32 exponent bias minus float16's, in place. */
  private static final int REBIAS = (127 - 15) << 23;
  /** The bits of 2^-14, float16's smallest normal, with the float16 mantissa shifted in: see {@link #float16}. */
  private static final int MIN_NORMAL_EXPONENT = (127 - 14) << 23;
  private static final int F16_INFINITY = 0x7c00;
  private static final int F16_MIN_NORMAL = 0x0400;

  private HalfPairs() {}

  static FloatVector even(ElementType type, IntVector pairs) {
    return type == ElementType.BF16 ? pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
        : float16(pairs.and(0xffff));
  }

  static FloatVector odd(ElementType type, IntVector pairs) {
    return type == ElementType.BF16 ? pairs.and(0xffff0000).reinterpretAsFloats()
        : float16(pairs.lanewise(VectorOperators.LSHR, 16));
  }

  /**
   * float16 bit patterns (low 16 bits of each lane, the rest zero) to float32, as {@code Float16.toFloat}:
   * a normal is rebiased in place; inf and NaN keep their mantissa under float32's all-ones exponent;
   * a subnormal m * 2^-24 is built as the normal 2^-14 * (1 + m / 1024) minus 2^-14, exact.
   */
  static FloatVector float16(IntVector half) {
    IntVector magnitude = half.and(0x7fff);
    IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
    IntVector tiny = shifted.add(MIN_NORMAL_EXPONENT).reinterpretAsFloats().sub(0x1p-14f).reinterpretAsInts();
    IntVector bits = shifted.add(REBIAS)
        .blend(shifted.or(0x7f800000), magnitude.compare(VectorOperators.GE, F16_INFINITY))
        .blend(tiny, magnitude.compare(VectorOperators.LT, F16_MIN_NORMAL));
    return bits.or(half.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
  }
}
