package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16;

/**
 * What the 4-bit fast path needs to know of a 16-bit float type (bfloat16 or float16): both are
 * sign-magnitude, so their bit patterns order like their values through {@link #key(int)}.
 */
enum HalfType {
  /**
   * bfloat16. Fast blocks have an absmax in [2^-100, 2^126) (see {@link CutKeys}); its subnormals
   * are float32 subnormals, flushed to zero on input, so the smallest input that can be negative
   * is -MIN_NORMAL.
   */
  BF16(ElementType.BF16, 7, (127 - 100) << 7, (127 + 126) << 7, 0x0080),
  /**
   * float16: every finite non-zero absmax is fast (2^-24 ≤ absmax < 2^16), and every float16 is
   * a float32 normal, so nothing is flushed.
   */
  F16(ElementType.F16, 10, 0x0001, 0x7c00, 0x0001);

  private final ElementType type;
  private final int mantissaBits;
  private final int minFastMagnitude;
  private final int maxFastMagnitudeExclusive;
  private final int minUnflushedMagnitude;

  HalfType(ElementType type, int mantissaBits, int minFastMagnitude, int maxFastMagnitudeExclusive,
      int minUnflushedMagnitude) {
    this.type = type;
    this.mantissaBits = mantissaBits;
    this.minFastMagnitude = minFastMagnitude;
    this.maxFastMagnitudeExclusive = maxFastMagnitudeExclusive;
    this.minUnflushedMagnitude = minUnflushedMagnitude;
  }

  ElementType elementType() {
    return type;
  }

  /** Whether a block with this absmax magnitude pattern takes the fast path. */
  boolean isFast(int absmaxMagnitude) {
    return absmaxMagnitude >= minFastMagnitude && absmaxMagnitude < maxFastMagnitudeExclusive;
  }

  /** Mantissa bits (7 or 10): the exponent field starts above them. */
  int mantissaBits() {
    return mantissaBits;
  }

  float widen(int bits) {
    return Float16.widen(type, (short) bits);
  }

  /** The bit pattern of the value of this type nearest to {@code value} (ties to even); value is finite. */
  int nearest(float value) {
    if (this == F16) {
      return Float16.fromFloat(value) & 0xffff;
    }
    int bits = Float.floatToRawIntBits(value);
    return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  }

  /** The key of the negative input of smallest magnitude that is not flushed to zero. */
  int smallestNegativeKey() {
    return key(0x8000 | minUnflushedMagnitude);
  }

  /**
   * A signed 16-bit key whose order is the order of the values (-0 just below +0): negative
   * patterns get their magnitude bits inverted.
   */
  static int key(int bits) {
    return (short) (bits ^ (((short) bits >> 15) & 0x7fff));
  }
}
