package dev.quarry.kernels;

import java.util.Arrays;

/**
 * What an error kernel measured in one call: per group of elements (a 4-bit block, an int8 row, a
 * run of cast elements) the sum of squared errors and the sum of squared inputs, each summed in
 * double in the fixed order of {@link LaneSquares}, and over the whole call the largest |error|.
 * The caller combines the group sums exactly, so that a tensor's figures do not depend on how it
 * is cut into calls. Reused from call to call by one thread (it also holds the kernels' scratch space).
 */
public final class GroupSquares {
  private double[] errors = new double[0];
  private double[] values = new double[0];
  private int groups;
  private double maxAbsError;
  private float[] scratch = new float[0];

  /** Forgets the previous call's results and makes room for {@code count} groups. */
  public void start(int count) {
    if (errors.length < count) {
      errors = new double[count];
      values = new double[count];
    }
    groups = count;
    maxAbsError = 0;
  }

  void set(int group, double squaredErrors, double squaredValues) {
    errors[group] = squaredErrors;
    values[group] = squaredValues;
  }

  /** Raises the largest |error| to {@code absError} if it is larger; a NaN is ignored. */
  public void offerMax(double absError) {
    if (absError > maxAbsError) {
      maxAbsError = absError;
    }
  }

  public int groups() {
    return groups;
  }

  /** Sum of the squared errors of group g (NaN when an error is NaN). */
  public double squaredErrors(int group) {
    return errors[group];
  }

  /** Sum of the squared inputs of group g. */
  public double squaredValues(int group) {
    return values[group];
  }

  /** The largest |error| of the call, NaN errors ignored; 0 for none. */
  public double maxAbsError() {
    return maxAbsError;
  }

  /**
   * At least n floats a kernel may use during a call (the vector kernels dequantize into it): kept
   * from call to call, as a fresh array per call costs about a third of the measurement in zeroing.
   */
  public float[] scratch(int n) {
    if (scratch.length < n) {
      scratch = new float[n];
    }
    return scratch;
  }

  @Override
  public String toString() {
    return "GroupSquares[" + Arrays.toString(Arrays.copyOf(errors, groups)) + ", "
        + Arrays.toString(Arrays.copyOf(values, groups)) + ", max " + maxAbsError + "]";
  }
}
