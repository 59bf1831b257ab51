package dev.quarry.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr(float)}: the shortest decimal string that parses back to the same double
 * (nearest to it among equally short ones), in Python's layout — fixed notation for decimal
 * exponents from -4 to 15 with at least one fractional digit ({@code 0.0123}, {@code 16.0}),
 * otherwise scientific with a signed exponent of at least two digits ({@code 1e-05},
 * {@code 1.5e+16}). bitsandbytes writes {@code nested_offset} this way via {@code json.dumps}.
 * Needed because JDK 17's {@link Double#toString(double)} is not always shortest and uses a
 * different layout.
 */
public final class PythonFloatRepr {
  private PythonFloatRepr() {}

  public static String repr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
    }
    BigDecimal shortest = shortestRoundTrip(Math.abs(d));
    String digits = shortest.unscaledValue().toString();
    // Python's decpt: value = 0.DIGITS x 10^decpt
    int decpt = digits.length() - shortest.scale();
    String body = decpt > -4 && decpt <= 16 ? fixed(digits, decpt) : scientific(digits, decpt);
    return d < 0 ? "-" + body : body;
  }

  /**
   * The shortest decimal that rounds to {@code d}: for 1, 2, … 17 significant digits the two
   * candidates next to the exact value of d (rounded down and up); the first length at which one
   * parses back to d wins, the nearer one if both do. Trailing zeros are stripped.
   */
  private static BigDecimal shortestRoundTrip(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal down = exact.round(new MathContext(precision, RoundingMode.DOWN));
      BigDecimal up = exact.round(new MathContext(precision, RoundingMode.UP));
      boolean downOk = parsesTo(down, d);
      boolean upOk = parsesTo(up, d);
      if (downOk && upOk) {
        BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
        return nearest.stripTrailingZeros();
      }
      if (downOk) {
        return down.stripTrailingZeros();
      }
      if (upOk) {
        return up.stripTrailingZeros();
      }
    }
    throw new AssertionError("17 significant digits always round-trip a double: " + d);
  }

  /** Double.parseDouble is correctly rounded, as Python's float() is. */
  private static boolean parsesTo(BigDecimal decimal, double d) {
    return Double.parseDouble(decimal.toString()) == d;
  }

  private static String fixed(String digits, int decpt) {
    if (decpt <= 0) {
      return "0." + "0".repeat(-decpt) + digits;
    }
    if (decpt >= digits.length()) {
      return digits + "0".repeat(decpt - digits.length()) + ".0";
    }
    return digits.substring(0, decpt) + "." + digits.substring(decpt);
  }

  private static String scientific(String digits, int decpt) {
    int exponent = decpt - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String sign = exponent < 0 ? "-" : "+";
    int abs = Math.abs(exponent);
    return mantissa + "e" + sign + (abs < 10 ? "0" : "") + abs;
  }
}
