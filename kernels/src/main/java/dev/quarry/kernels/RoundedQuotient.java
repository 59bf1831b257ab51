package dev.quarry.kernels;

import java.math.BigInteger;

/**
 * A quotient of two non-negative integers rounded once to the nearest float32, ties to even. Written
 * by hand because {@code BigDecimal.floatValue} is not correctly rounded on JDK 17 (it goes through double).
 */
final class RoundedQuotient {
  private static final int SIGNIFICAND_BITS = 24;
  /** Exponent of the smallest subnormal's unit, 2^-149. */
  private static final int MIN_EXPONENT = -149;

  private RoundedQuotient() {
  }

  /** {@code numerator / denominator} (denominator > 0) as the nearest float, ties to even; inf beyond the float range. */
  static float toFloat(BigInteger numerator, BigInteger denominator) {
    if (numerator.signum() == 0) {
      return 0f;
    }
    // numerator / denominator lies in [2^(lengthDifference - 1), 2^(lengthDifference + 1)).
    int lengthDifference = numerator.bitLength() - denominator.bitLength();
    int exponent = Math.max(lengthDifference - SIGNIFICAND_BITS, MIN_EXPONENT);
    BigInteger[] scaled = scale(numerator, denominator, exponent);
    BigInteger[] quotient = scaled[0].divideAndRemainder(scaled[1]);
    if (quotient[0].bitLength() > SIGNIFICAND_BITS) {
      exponent++;
      scaled = scale(numerator, denominator, exponent);
      quotient = scaled[0].divideAndRemainder(scaled[1]);
    }
    long significand = quotient[0].longValueExact();
    int twiceRemainderVsDenominator = quotient[1].shiftLeft(1).compareTo(scaled[1]);
    if (twiceRemainderVsDenominator > 0 || (twiceRemainderVsDenominator == 0 && (significand & 1) == 1)) {
      significand++;
    }
    // Exact: the significand has at most 24 bits (2^24 after a carry), scaled by a power of two;
    // beyond Float.MAX_VALUE scalb gives inf, which is what rounding to nearest gives there.
    return Math.scalb((float) significand, exponent);
  }

  /** Integers {numerator', denominator'} with numerator' / denominator' = numerator / (denominator * 2^exponent). */
  private static BigInteger[] scale(BigInteger numerator, BigInteger denominator, int exponent) {
    return exponent >= 0
        ? new BigInteger[] {numerator, denominator.shiftLeft(exponent)}
        : new BigInteger[] {numerator.shiftLeft(-exponent), denominator};
  }
}
