package dev.quarry.kernels;

import java.util.Arrays;

/**
 * The order in which the error kernels sum the squares of one group, shared by the scalar and the
 * vector implementations so that both give the same bits. Element i of a group (i counted from the
 * group's first element) adds to lane {@link #lane(int)}: 16 lanes, each summing its elements in
 * ascending order, then the lanes combine in a fixed tree ({@link #endGroup}). The lane of an
 * element is where a 256-bit vector kernel naturally holds it: it reads 16 elements as 8 pairs
 * (even element in the low half of a 32-bit lane), widens the evens and the odds to two float
 * vectors and each of those to two 4-double vectors, so lanes 0-7 hold elements 0, 2, .., 14 and
 * lanes 8-15 elements 1, 3, .., 15 (mod 16). Independent lanes also let additions overlap.
 *
 * <p>The error is {@code d = (double) dequantized - (double) x}; a NaN error makes the group's
 * sums NaN (canonical, whatever the payload) and is ignored by the max. Not thread-safe.
 */
public final class LaneSquares {
  public static final int LANES = 16;

  private final double[] errors = new double[LANES];
  private final double[] values = new double[LANES];
  private double maxAbsError;

  /** The lane of element i of a group. */
  public static int lane(int i) {
    return ((i & 1) << 3) | ((i >> 1) & 7);
  }

  /** Adds element i of the current group: its dequantized value and its input. */
  public void add(int i, double dequantized, double x) {
    double d = dequantized - x;
    int lane = lane(i);
    errors[lane] += d * d;
    values[lane] += x * x;
    double a = Math.abs(d);
    if (a > maxAbsError) {
      maxAbsError = a;
    }
  }

  /** The squared-error lanes of the current group, for a vector kernel to store its partial sums into (by lane). */
  public double[] errorLanes() {
    return errors;
  }

  /** The squared-input lanes of the current group, as {@link #errorLanes()}. */
  public double[] valueLanes() {
    return values;
  }

  /** Records the current group's sums as group g of {@code out}, offers the max, and starts a new group. */
  public void endGroup(GroupSquares out, int group) {
    out.set(group, combine(errors), combine(values));
    out.offerMax(maxAbsError);
  }

  /** Sums the lanes pairwise (lane j with j + 8, then j + 4, ...) and clears them. */
  private static double combine(double[] lanes) {
    for (int width = LANES / 2; width > 0; width /= 2) {
      for (int j = 0; j < width; j++) {
        lanes[j] += lanes[j + width];
      }
    }
    double sum = lanes[0];
    Arrays.fill(lanes, 0);
    return sum != sum ? Double.NaN : sum;
  }
}
