package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Float comparisons by bit pattern: exactness including the sign of zero and NaN payloads. */
final class FloatBits {
  private FloatBits() {
  }

  static int[] of(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  static void assertBitsEqual(float[] expected, float[] actual, String what) {
    assertArrayEquals(of(expected), of(actual), what);
  }

  /** Distance in ulps between two finite floats of the same sign, or between equal infinities (0). */
  static long ulps(float a, float b) {
    return Math.abs((long) Float.floatToRawIntBits(a) - Float.floatToRawIntBits(b));
  }
}
