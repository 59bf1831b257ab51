package dev.quarry.quality;

import java.math.BigInteger;

/**
 * The exact sum of non-negative finite doubles (squared errors and squared values), so that the
 * error statistics of a tensor do not depend on how it was cut into blocks nor on the order Spark
 * returns them. Every such double is {@code significand * 2^(e - 1075)} (e its biased exponent, 1
 * for subnormals): one long per exponent adds significands without rounding, and the total leaves
 * as an integer in units of 2^-1074 ({@link #scaled()}), which merges by plain addition.
 */
final class ExactSquareSum {
  private static final int SLOTS = 2047;
  private static final long MANTISSA = (1L << 52) - 1;
  /** A significand is below 2^53: 2^9 of them fit in a long (2^62) on top of a carried slot. */
  private static final int ADDS_BEFORE_CARRY = 1 << 9;

  private final long[] slots = new long[SLOTS];
  private int adds;
  private int lowest = SLOTS;
  private int highest;

  /** Adds v, which must be finite and not negative (a square). */
  void add(double v) {
    long bits = Double.doubleToRawLongBits(v);
    int exponent = (int) (bits >>> 52);
    long significand = exponent == 0 ? bits & MANTISSA : (bits & MANTISSA) | (1L << 52);
    int slot = Math.max(exponent, 1);
    slots[slot] += significand;
    lowest = Math.min(lowest, slot);
    highest = Math.max(highest, slot);
    if (++adds == ADDS_BEFORE_CARRY) {
      carry();
    }
  }

  /** The sum in units of 2^-1074, exact. */
  BigInteger scaled() {
    BigInteger sum = BigInteger.ZERO;
    for (int e = lowest; e <= highest; e++) {
      if (slots[e] != 0) {
        sum = sum.add(BigInteger.valueOf(slots[e]).shiftLeft(e - 1));
      }
    }
    return sum;
  }

  /**
   * Moves all but the lowest bit of each slot one slot up (slot e + 1 weighs twice slot e): the sum
   * is unchanged and every slot ends in {0, 1}, so the next 2^9 adds cannot overflow.
   */
  private void carry() {
    for (int e = lowest; e < SLOTS - 1; e++) {
      long up = slots[e] >> 1;
      if (up == 0 && e >= highest) {
        break;
      }
      slots[e + 1] += up;
      slots[e] &= 1;
      highest = Math.max(highest, e + 1);
    }
    adds = 0;
  }

  /** A {@link #scaled()} sum back to a double (deterministic; rounded from its top 64 bits). */
  static double toDouble(BigInteger scaled) {
    int drop = Math.max(0, scaled.bitLength() - 63);
    return Math.scalb((double) scaled.shiftRight(drop).longValueExact(), drop - 1074);
  }
}
