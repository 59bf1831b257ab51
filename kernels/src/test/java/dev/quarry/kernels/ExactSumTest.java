package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExactSumTest {

  /**
   * Independent check that {@code mean} is the float nearest to sum/count (ties to even), in
   * BigDecimal without any division: |mean*count - sum| is no larger than for either neighbour.
   */
  private static void assertCorrectlyRoundedMean(float[] values, float mean) {
    BigDecimal sum = BigDecimal.ZERO;
    for (float v : values) {
      sum = sum.add(new BigDecimal(v));
    }
    BigDecimal count = BigDecimal.valueOf(values.length);
    BigDecimal error = new BigDecimal(mean).multiply(count).subtract(sum).abs();
    for (float neighbour : new float[] {Math.nextDown(mean), Math.nextUp(mean)}) {
      if (Float.isInfinite(neighbour)) {
        continue;
      }
      int comparison = error.compareTo(new BigDecimal(neighbour).multiply(count).subtract(sum).abs());
      assertTrue(comparison <= 0, () -> "mean " + mean + " is not the nearest float: " + neighbour + " is nearer");
      if (comparison == 0) {
        assertEquals(0, Float.floatToRawIntBits(mean) & 1, () -> "tie between " + mean + " and " + neighbour + " not broken to even");
      }
    }
  }

  private static ExactSum sumOf(float... values) {
    ExactSum sum = new ExactSum();
    sum.add(values, 0, values.length);
    return sum;
  }

  @Test
  void randomArraysOfMixedMagnitudes() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 20; round++) {
      float[] values = new float[1 + random.nextInt(200_000)];
      int exponentSpread = 1 + random.nextInt(60);
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) Math.scalb(random.nextDouble(-1, 1), random.nextInt(exponentSpread) - exponentSpread / 2);
      }
      assertCorrectlyRoundedMean(values, sumOf(values).mean(values.length));
    }
  }

  @Test
  void adversarialValues() {
    float onePlusUlp = Math.nextUp(1f);
    float[][] cases = {
      {1e30f, 1f, -1e30f},                      // tiny next to huge: mean exactly 1/3
      {1f, onePlusUlp},                          // exact tie: 1 + 2^-24, rounds to even 1
      {onePlusUlp, Math.nextUp(onePlusUlp)},     // exact tie, rounds to even 1 + 2^-22
      {Float.MIN_VALUE, 0f},                     // tie between 0 and the smallest subnormal
      {Float.MIN_VALUE, Float.MIN_VALUE, Float.MIN_VALUE}, // exactly MIN_VALUE
      {Float.MAX_VALUE, -Float.MAX_VALUE, 3f},
      {Float.MAX_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE},
      {0x1p-149f, 0x1p127f, -0x1p127f, 0x1p-126f},
      {-0f, -0f},
    };
    for (float[] values : cases) {
      assertCorrectlyRoundedMean(values, sumOf(values).mean(values.length));
    }
    assertEquals(1f, sumOf(1f, onePlusUlp).mean(2));
    assertEquals(0f, sumOf(Float.MIN_VALUE, 0f).mean(2));
  }

  @Test
  void aSumBeyondTheFloatRangeGivesInfinityLikeTheGpusFloat32Accumulator() {
    assertEquals(Float.POSITIVE_INFINITY, sumOf(3e38f, 3e38f).mean(2));
    assertEquals(Float.NEGATIVE_INFINITY, sumOf(-3e38f, -3e38f, 1f).mean(3));
    assertEquals(Float.POSITIVE_INFINITY, sumOf(1f, Float.POSITIVE_INFINITY).mean(2));
    assertTrue(Float.isNaN(sumOf(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY).mean(2)));
    assertTrue(Float.isNaN(sumOf(1f, Float.NaN).mean(2)));
  }

  @Test
  void theResultDoesNotDependOnHowValuesAreSplitOrMerged() throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    float[] values = new float[100_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.scalb(random.nextDouble(), random.nextInt(40) - 20);
    }
    float whole = sumOf(values).mean(values.length);
    for (int round = 0; round < 10; round++) {
      List<ExactSum> pieces = new ArrayList<>();
      for (int start = 0; start < values.length; ) {
        int length = Math.min(values.length - start, 1 + random.nextInt(20_000));
        ExactSum piece = new ExactSum();
        piece.add(values, start, length);
        pieces.add(serializedCopy(piece)); // as Spark ships it between executors and driver
        start += length;
      }
      Collections.shuffle(pieces, new java.util.Random(round));
      ExactSum merged = new ExactSum();
      pieces.forEach(merged::merge);
      assertEquals(Float.floatToRawIntBits(whole), Float.floatToRawIntBits(merged.mean(values.length)));
      assertTrue(merged.sameSumAs(sumOf(values)), "the same exact sum, however split");
    }
    ExactSum oneMore = sumOf(values);
    oneMore.add(0x1p-149f);
    assertFalse(oneMore.sameSumAs(sumOf(values)), "one subnormal ulp more is another sum");
  }

  @Test
  void mergingFarMoreValuesThanALongSlotHoldsStaysExact() throws Exception {
    // 50 doublings stand for 2^51 added values: without carrying, the slot of 3.0 (significand
    // 0xc00000 ≈ 2^23.6) would overflow a long after about 2^39 of them.
    ExactSum sum = sumOf(1.5f, 3f);
    for (int i = 0; i < 50; i++) {
      sum.merge(serializedCopy(sum));
    }
    assertEquals(4.5f * 0x1p50f, sum.sum());
    assertEquals(2.25f, sum.mean(1L << 51));
  }

  private static ExactSum serializedCopy(ExactSum sum) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sum);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (ExactSum) in.readObject();
    }
  }
}
