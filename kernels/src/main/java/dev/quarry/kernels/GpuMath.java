package dev.quarry.kernels;

/**
 * The float32 arithmetic of bitsandbytes' CUDA kernels, which are compiled with
 * {@code --use_fast_math} ({@code bnb-exact.md} §1): flush-to-zero and the approximate
 * reciprocal {@code MUFU.RCP}. Results differ from IEEE arithmetic, so every kernel that must
 * match the GPU byte for byte goes through these functions.
 */
public final class GpuMath {
  private static final int SIGN_BIT = 0x80000000;
  private static final int EXPONENT_MASK = 0x7f800000;
  private static final int MANTISSA_MASK = 0x007fffff;
  /** Bits of 2^126: from here on 1/x is below the smallest normal float and flushes to zero. */
  private static final int TWO_POW_126_BITS = 0x7e800000;

  private static final float CUDA_NAN = Float.intBitsToFloat(0x7fffffff);

  private GpuMath() {
  }

  /** Flush-to-zero: a float32 subnormal becomes a zero of the same sign. */
  public static float ftz(float x) {
    int bits = Float.floatToRawIntBits(x);
    return (bits & EXPONENT_MASK) == 0 ? Float.intBitsToFloat(bits & SIGN_BIT) : x;
  }

  /**
   * {@code 1.0f / x} as the GPU computes it: the correctly rounded reciprocal (via double, the
   * reference the error table was measured against) corrected by the measured per-mantissa ulp
   * error. The error table holds for every exponent whose input and output are normal; outside
   * that range the hardware flushes: subnormal or zero in gives ±inf, |x| ≥ 2^126 gives ±0.
   */
  public static float rcp(float x) {
    int bits = Float.floatToRawIntBits(x);
    int magnitude = bits & ~SIGN_BIT;
    int sign = bits & SIGN_BIT;
    if (magnitude > EXPONENT_MASK) {
      return x; // NaN
    }
    if (magnitude < 0x00800000) {
      return Float.intBitsToFloat(sign | EXPONENT_MASK); // ±0 and subnormals (FTZ) → ±inf
    }
    if (magnitude >= TWO_POW_126_BITS) {
      return Float.intBitsToFloat(sign); // result would be subnormal, or x is ±inf → ±0
    }
    int correct = Float.floatToRawIntBits((float) (1.0 / (double) x));
    return Float.intBitsToFloat(correct + RcpErrorTable.ulpError(bits & MANTISSA_MASK));
  }

  /**
   * The NaN a GPU operation produces (0x7fffffff, CUDA's canonical NaN) in place of whatever NaN
   * Java's arithmetic gave; other values unchanged. For values that are stored or compared bitwise.
   */
  public static float canonicalNaN(float value) {
    return value != value ? CUDA_NAN : value;
  }

  /** {@code __fdividef(127.0f, y)} of the int8 kernel: measured equal to {@code 127f * rcp(y)} in float32. */
  public static float fdividef127(float y) {
    return 127f * rcp(y);
  }
}
