package dev.quarry.kernels;

import java.io.Serializable;
import java.math.BigInteger;

/**
 * The exact sum of float32 values, for the double-quantization offset ({@code bnb-exact.md} §3).
 * Every finite float is {@code significand * 2^(e - 150)} (e the biased exponent, 1 for
 * subnormals), so one long per exponent adds significands without rounding. Sums of pieces merge
 * by adding those longs, so the result never depends on how the values were split or ordered
 * (Spark partitions each add a piece, then merge).
 */
public final class ExactSum implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One slot per biased exponent 0..254; slot e weighs 2^(max(e, 1) - 150). */
  private static final int SLOTS = 255;
  /** Scale of the integer {@link #scaledSum()}: slot values are multiples of 2^-149. */
  private static final int SCALE_BITS = 149;
  /**
   * |slot| < 2^24 per value added, so 2^38 additions cannot overflow a long; carrying before that
   * keeps every slot small however many values come.
   */
  private static final long ADDS_BEFORE_CARRY = 1L << 38;

  private final long[] slots = new long[SLOTS];
  private long addsSinceCarry;
  private long positiveInfinities;
  private long negativeInfinities;
  private boolean nan;

  public void add(float value) {
    int bits = Float.floatToRawIntBits(value);
    int exponent = (bits >>> 23) & 0xff;
    if (exponent == 0xff) {
      if ((bits & 0x007fffff) != 0) {
        nan = true;
      } else if (bits < 0) {
        negativeInfinities++;
      } else {
        positiveInfinities++;
      }
      return;
    }
    long significand = exponent == 0 ? bits & 0x007fffff : (bits & 0x007fffff) | 0x00800000;
    slots[Math.max(exponent, 1)] += bits < 0 ? -significand : significand;
    countAdd(1);
  }

  public void add(float[] values, int off, int length) {
    for (int i = 0; i < length; i++) {
      add(values[off + i]);
    }
  }

  /** Adds everything {@code other} holds; {@code other} is unchanged. */
  public void merge(ExactSum other) {
    for (int e = 0; e < SLOTS; e++) {
      slots[e] += other.slots[e];
    }
    positiveInfinities += other.positiveInfinities;
    negativeInfinities += other.negativeInfinities;
    nan |= other.nan;
    countAdd(other.addsSinceCarry + 1); // + 1: what other's last carry left in its slots
  }

  /** The sum rounded once to float32 (ties to even); ±inf or NaN when infinities or NaN were added. */
  public float sum() {
    return divideRounded(BigInteger.ONE);
  }

  /**
   * The mean of {@code count} values: the exact sum divided by {@code count}, rounded once to
   * float32. Except when the exact sum itself does not fit in a float32: the GPU (torch's
   * {@code mean} accumulates in float32) then gets ±inf, and so does this. For non-negative values
   * (absmax) partial sums never exceed the total, so this is exactly when the GPU overflows.
   */
  public float mean(long count) {
    if (count <= 0) {
      throw new IllegalArgumentException("count " + count + " must be positive");
    }
    float sum = sum();
    return Float.isInfinite(sum) || Float.isNaN(sum) ? sum : divideRounded(BigInteger.valueOf(count));
  }

  private float divideRounded(BigInteger divisor) {
    if (nan || (positiveInfinities > 0 && negativeInfinities > 0)) {
      return Float.NaN;
    }
    if (positiveInfinities > 0) {
      return Float.POSITIVE_INFINITY;
    }
    if (negativeInfinities > 0) {
      return Float.NEGATIVE_INFINITY;
    }
    BigInteger scaled = scaledSum();
    float magnitude = RoundedQuotient.toFloat(scaled.abs(), divisor.shiftLeft(SCALE_BITS));
    return scaled.signum() < 0 ? -magnitude : magnitude;
  }

  /**
   * Whether both hold the same exact sum (however it was split, ordered or carried): a block whose
   * sum differs from the one an earlier pass over the same bytes computed was read from changed input.
   */
  public boolean sameSumAs(ExactSum other) {
    return nan == other.nan && positiveInfinities == other.positiveInfinities
        && negativeInfinities == other.negativeInfinities && scaledSum().equals(other.scaledSum());
  }

  /** The finite sum times 2^149, as an integer. */
  private BigInteger scaledSum() {
    BigInteger sum = BigInteger.ZERO;
    for (int e = 0; e < SLOTS; e++) {
      if (slots[e] != 0) {
        sum = sum.add(BigInteger.valueOf(slots[e]).shiftLeft(Math.max(e, 1) - 1));
      }
    }
    return sum;
  }

  private void countAdd(long adds) {
    addsSinceCarry += adds;
    if (addsSinceCarry >= ADDS_BEFORE_CARRY) {
      carry();
    }
  }

  /**
   * Moves all but the lowest bit of each slot one slot up (slot e + 1 weighs twice slot e; the
   * top slot keeps its value): the sum is unchanged and every slot but the top one ends in {-1, 0, 1}.
   */
  private void carry() {
    for (int e = 1; e < SLOTS - 1; e++) {
      slots[e + 1] += slots[e] >> 1;
      slots[e] &= 1;
    }
    addsSinceCarry = 0;
  }
}
