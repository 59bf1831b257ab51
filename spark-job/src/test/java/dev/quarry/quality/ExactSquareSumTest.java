package dev.quarry.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exact sum against BigDecimal arithmetic, and merging in any split. */
class ExactSquareSumTest {
  private static final BigDecimal UNIT = new BigDecimal(BigInteger.ONE).divide(new BigDecimal(BigInteger.TWO.pow(1074)));

  @Test
  void equalsTheBigDecimalSumAcrossMagnitudesAndCarries() {
    Random r = new Random(5);
    ExactSquareSum sum = new ExactSquareSum();
    BigDecimal exact = BigDecimal.ZERO;
    for (int i = 0; i < 5000; i++) {
      double v = switch (i % 5) {
        case 0 -> Double.MIN_VALUE * r.nextInt(1000); // subnormal
        case 1 -> Math.nextDown(2.0); // all significand bits set, same slot many times: carries
        case 2 -> Math.scalb(r.nextDouble(), 250); // huge (a square of a large float32)
        default -> r.nextGaussian() * r.nextGaussian();
      };
      v = Math.abs(v);
      sum.add(v);
      exact = exact.add(new BigDecimal(v));
    }
    assertEquals(0, exact.compareTo(new BigDecimal(sum.scaled()).multiply(UNIT)));
  }

  @Test
  void errorStatsDoNotDependOnHowTheyAreSplit() {
    Random r = new Random(9);
    double[] values = new double[3000];
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
    }
    ErrorStats whole = stats(values, 0, values.length);
    ErrorStats split = stats(values, 0, 1234).merge(stats(values, 1234, 2999)).merge(stats(values, 2999, 3000));
    assertEquals(whole, split);
  }

  private static ErrorStats stats(double[] v, int from, int to) {
    ExactSquareSum s = new ExactSquareSum();
    double max = 0;
    for (int i = from; i < to; i++) {
      s.add(v[i] * v[i]);
      max = Math.max(max, Math.abs(v[i]));
    }
    return new ErrorStats(to - from, max, s.scaled(), s.scaled());
  }
}
