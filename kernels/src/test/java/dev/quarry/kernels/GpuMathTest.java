package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GpuMathTest {

  @Test
  void ftzFlushesSubnormalsKeepingTheSign() {
    assertEquals(0x00000000, bits(GpuMath.ftz(Float.MIN_VALUE)));
    assertEquals(0x80000000, bits(GpuMath.ftz(-0x1.fffffcp-127f)));
    assertEquals(Float.MIN_NORMAL, GpuMath.ftz(Float.MIN_NORMAL));
    assertEquals(-1.5f, GpuMath.ftz(-1.5f));
    assertEquals(Float.NEGATIVE_INFINITY, GpuMath.ftz(Float.NEGATIVE_INFINITY));
  }

  @Test
  void rcpIsTheCorrectlyRoundedReciprocalPlusTheMeasuredErrorAtEveryNormalExponent() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      int mantissa = random.nextInt(1 << 23);
      int exponent = 1 + random.nextInt(252); // biased 1..252: 1/x stays normal
      float x = Float.intBitsToFloat((random.nextBoolean() ? 0x80000000 : 0) | exponent << 23 | mantissa);
      float exact = (float) (1.0 / (double) x);
      assertEquals(bits(exact) + RcpErrorTable.ulpError(mantissa), bits(GpuMath.rcp(x)), () -> "rcp(" + x + ")");
    }
  }

  @Test
  void rcpSpecialCases() {
    assertEquals(Float.POSITIVE_INFINITY, GpuMath.rcp(0f));
    assertEquals(Float.NEGATIVE_INFINITY, GpuMath.rcp(-0f));
    assertEquals(Float.POSITIVE_INFINITY, GpuMath.rcp(Float.MIN_VALUE));
    assertEquals(Float.NEGATIVE_INFINITY, GpuMath.rcp(-0x1p-127f));
    assertEquals(0x00000000, bits(GpuMath.rcp(0x1p126f)));
    assertEquals(0x80000000, bits(GpuMath.rcp(-Float.MAX_VALUE)));
    assertEquals(0x00000000, bits(GpuMath.rcp(Float.POSITIVE_INFINITY)));
    assertEquals(0x80000000, bits(GpuMath.rcp(Float.NEGATIVE_INFINITY)));
    assertEquals(true, Float.isNaN(GpuMath.rcp(Float.NaN)));
    assertEquals(0x1p125f, GpuMath.rcp(0x1p-125f));
    assertEquals(1f, GpuMath.rcp(1f));
  }

  @Test
  void fdividef127IsTheFloatProductWithTheReciprocal() {
    for (int h = 1; h < 0x7c00; h++) { // every positive finite float16, the int8 path's absmax domain
      float y = Float16.toFloat((short) h);
      float expected = (float) (127.0 * (double) GpuMath.rcp(y));
      assertEquals(bits(expected), bits(GpuMath.fdividef127(y)), () -> "127 / " + y);
    }
  }

  private static int bits(float f) {
    return Float.floatToRawIntBits(f);
  }
}
