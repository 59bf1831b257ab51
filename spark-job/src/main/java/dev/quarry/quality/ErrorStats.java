package dev.quarry.quality;

import java.io.Serializable;
import java.math.BigInteger;

/**
 * The quantization error of some elements of a tensor, measured by dequantizing what was written
 * and comparing it with the input: how many, the largest |error|, and the exact sums of squared
 * errors and squared inputs (in units of 2^-1074, see {@link ExactSquareSum}). Merging is exact and
 * order-free, so a tensor's statistics are the same whatever its blocks and partitions.
 */
public record ErrorStats(long count, double maxAbsError, BigInteger squaredErrors, BigInteger squaredValues)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final ErrorStats NONE = new ErrorStats(0, 0, BigInteger.ZERO, BigInteger.ZERO);

  public ErrorStats merge(ErrorStats other) {
    return new ErrorStats(count + other.count, Math.max(maxAbsError, other.maxAbsError),
        squaredErrors.add(other.squaredErrors), squaredValues.add(other.squaredValues));
  }

  /** Root mean square error (0 for no elements). */
  public double rmse() {
    return count == 0 ? 0 : Math.sqrt(ExactSquareSum.toDouble(squaredErrors) / count);
  }

  /**
   * Signal-to-quantization-noise ratio in dB: 10 log10(sum x^2 / sum e^2); +inf for an exact
   * result, NaN when input and error are both all zero.
   */
  public double sqnrDb() {
    double noise = ExactSquareSum.toDouble(squaredErrors);
    double signal = ExactSquareSum.toDouble(squaredValues);
    if (noise == 0) {
      return signal == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
    }
    return 10 * Math.log10(signal / noise);
  }
}
