package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Float16Test {

  /** The value of float16 bits from the IEEE formula, in double, independent of Float16. */
  private static double ieeeValue(int h) {
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24)
        : exponent == 0x1f ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
        : Math.scalb(1024.0 + mantissa, exponent - 25);
    return (h & 0x8000) != 0 ? -magnitude : magnitude;
  }

  @Test
  void toFloatFollowsTheIeeeFormulaForEveryPattern() {
    for (int h = 0; h < 0x10000; h++) {
      double expected = ieeeValue(h);
      float actual = Float16.toFloat((short) h);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(actual), "NaN pattern " + Integer.toHexString(h));
      } else {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), "pattern " + Integer.toHexString(h));
      }
    }
  }

  @Test
  void fromFloatRoundsEveryFloat16ValueAndMidpointToNearestEven() {
    for (int h = 0; h < 0x7c00; h++) {
      for (int sign : new int[] {0, 0x8000}) {
        float value = (float) ieeeValue(h | sign);
        assertEquals(h | sign, Float16.fromFloat(value) & 0xffff, "exact value " + value);
        if (h == 0x7bff) {
          continue; // the next one up is inf: overflowInfinityAndNan covers that midpoint
        }
        // The midpoint to the next float16 up: ties go to the even neighbour (the one with mantissa bit 0 clear).
        double next = ieeeValue((h + 1) | sign);
        float midpoint = (float) ((ieeeValue(h | sign) + next) / 2); // exact: needs at most 12 significant bits
        int even = (h & 1) == 0 ? h : h + 1;
        assertEquals(even | sign, Float16.fromFloat(midpoint) & 0xffff, "midpoint " + midpoint);
        assertEquals(h | sign, Float16.fromFloat(Math.nextAfter(midpoint, 0.0)) & 0xffff, "below midpoint " + midpoint);
        assertEquals((h + 1) | sign, Float16.fromFloat(Math.nextAfter(midpoint, sign == 0 ? 1e9 : -1e9)) & 0xffff, "above midpoint " + midpoint);
      }
    }
  }

  @Test
  void fromFloatIsTheNearestFloat16ForRandomFloats() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 1_000_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt(0x3f800000 + (1 << 23) * 16) | (random.nextBoolean() ? 0x80000000 : 0));
      int h = Float16.fromFloat(f) & 0xffff;
      if ((h & 0x7fff) == 0x7c00) {
        assertTrue(Math.abs(f) >= 65520f, () -> f + " rounded to inf");
        continue;
      }
      double error = Math.abs(ieeeValue(h) - f);
      int magnitude = h & 0x7fff;
      if (magnitude > 0) {
        assertTrue(error <= Math.abs(ieeeValue(h - 1) - f), () -> f + " -> " + Integer.toHexString(h));
      }
      if (magnitude < 0x7bff) {
        assertTrue(error <= Math.abs(ieeeValue(h + 1) - f), () -> f + " -> " + Integer.toHexString(h));
      }
    }
  }

  @Test
  void overflowInfinityAndNan() {
    assertEquals(0x7bff, Float16.fromFloat(65519.996f) & 0xffff);
    assertEquals(0x7c00, Float16.fromFloat(65520f) & 0xffff);
    assertEquals(0xfc00, Float16.fromFloat(Float.NEGATIVE_INFINITY) & 0xffff);
    assertEquals(0xfe00, Float16.fromFloat(Float.intBitsToFloat(0xffc00001)) & 0xffff);
    assertEquals(0x0000, Float16.fromFloat(0x1p-25f) & 0xffff); // tie between 0 and 2^-24: even is 0
    assertEquals(0x0001, Float16.fromFloat(Math.nextUp(0x1p-25f)) & 0xffff);
  }

  @Test
  void bfloat16IsTheHighHalfOfAFloat() {
    assertEquals(1.0f, Float16.bfloat16ToFloat((short) 0x3f80));
    assertEquals(-2.0f, Float16.bfloat16ToFloat((short) 0xc000));
    assertEquals(Float.intBitsToFloat(0x00010000), Float16.bfloat16ToFloat((short) 0x0001));
  }
}
