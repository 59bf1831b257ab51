package dev.quarry.kernels;

/**
 * IEEE binary16 and bfloat16 conversions by hand: JDK 17 has no {@code Float.floatToFloat16}.
 * Bit patterns are held in the low 16 bits of an int or in a short.
 */
public final class Float16 {
  /** The quiet NaN torch (c10 {@code fp16_ieee_from_fp32_value}) writes for every float32 NaN; the sign is kept. */
  static final int CANONICAL_NAN = 0x7e00;
  static final int POSITIVE_INFINITY = 0x7c00;
  /** Bits of 65520f, the midpoint between 65504 (largest float16) and 2^16: it and everything above round to inf. */
  private static final int OVERFLOW_THRESHOLD_BITS = 0x477ff000;
  /** Float32 biased exponent of 2^-14, the smallest normal float16. */
  private static final int MIN_NORMAL_EXPONENT = 113;
  /** Float32 biased exponent below which a value is less than half the smallest float16 subnormal (2^-24). */
  private static final int MIN_ROUNDING_EXPONENT = 102;
  /** Float32 exponent bias minus float16 exponent bias. */
  private static final int EXPONENT_BIAS_DIFFERENCE = 127 - 15;

  private Float16() {
  }

  /** The nearest float16 (round to nearest, ties to even; subnormals kept; NaN → canonical quiet NaN). */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7fffffff;
    if (magnitude > 0x7f800000) {
      return (short) (sign | CANONICAL_NAN);
    }
    if (magnitude >= OVERFLOW_THRESHOLD_BITS) {
      return (short) (sign | POSITIVE_INFINITY);
    }
    int exponent = magnitude >>> 23;
    if (exponent >= MIN_NORMAL_EXPONENT) {
      // Rebias the exponent in place; the 13 dropped mantissa bits round, and a carry correctly
      // bumps the exponent (up to 0x7c00 cannot happen: excluded above).
      return (short) (sign | shiftRightRoundingToEven(magnitude - (EXPONENT_BIAS_DIFFERENCE << 23), 13));
    }
    if (exponent < MIN_ROUNDING_EXPONENT) {
      return (short) sign;
    }
    // Subnormal float16: the value in units of 2^-24 is significand * 2^(exponent - 150 + 24).
    int significand = (magnitude & 0x007fffff) | 0x00800000;
    return (short) (sign | shiftRightRoundingToEven(significand, 126 - exponent));
  }

  /** The float32 value of float16 bits (exact). */
  public static float toFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float subnormal = mantissa * 0x1p-24f; // exact: mantissa < 2^10, scaled by a power of two
      return sign == 0 ? subnormal : -subnormal;
    }
    return Float.intBitsToFloat(sign | ((exponent + EXPONENT_BIAS_DIFFERENCE) << 23) | (mantissa << 13));
  }

  /** The float32 value of bfloat16 bits (exact: bfloat16 is the top half of a float32). */
  public static float bfloat16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  /** The nearest bfloat16 (round to nearest even, as torch's {@code .to(torch.bfloat16)}; NaN → sign | 0x7fc0). */
  public static short bfloat16FromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) & 0x8000 | 0x7fc0);
    }
    // Adding 0x7fff plus the lowest kept bit rounds the dropped 16 bits to nearest, ties to even;
    // a carry correctly moves into the exponent (up to inf).
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** The float32 value of a 16-bit element of the given type (exact). */
  public static float widen(ElementType type, short bits) {
    switch (type) {
      case BF16:
        return bfloat16ToFloat(bits);
      case F16:
        return toFloat(bits);
      default:
        throw new IllegalArgumentException(type + " is not a 16-bit type");
    }
  }

  /** True when float16 bits are ±inf. */
  public static boolean isInfinite(short half) {
    return (half & 0x7fff) == POSITIVE_INFINITY;
  }

  private static int shiftRightRoundingToEven(int value, int shift) {
    int kept = value >>> shift;
    int dropped = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    return dropped > half || (dropped == half && (kept & 1) == 1) ? kept + 1 : kept;
  }
}
