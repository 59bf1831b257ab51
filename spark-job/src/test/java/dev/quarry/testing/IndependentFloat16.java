package dev.quarry.testing;

/**
 * float → float16 bits by plain double arithmetic, written for the tests and independent of the
 * kernels' Float16: round |v| to a multiple of the float16 ulp of its binade (half to even), then
 * encode. Only for finite values that fit.
 */
public final class IndependentFloat16 {
  private IndependentFloat16() {}

  public static short bits(float value) {
    double a = Math.abs((double) value);
    int sign = (Float.floatToRawIntBits(value) >>> 31) << 15;
    int exponent = a == 0 ? -15 : Math.max(Math.getExponent(a), -14);
    double ulp = Math.scalb(1.0, exponent - 10);
    double rounded = Math.rint(a / ulp) * ulp;
    if (rounded >= 65520) {
      throw new ArithmeticException("overflow");
    }
    if (rounded < 0x1p-14) {
      return (short) (sign | (int) (rounded / 0x1p-24));
    }
    int e = Math.getExponent(rounded);
    int mantissa = (int) ((rounded / Math.scalb(1.0, e) - 1) * 1024);
    return (short) (sign | (e + 15) << 10 | mantissa);
  }
}
