package dev.quarry.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.kernels.GpuMath;
import org.junit.jupiter.api.Test;

/** The small table gives GpuMath.rcp for every absmax the 4-bit fast path can meet. */
class ShortMantissaReciprocalTest {

  @Test
  void matchesGpuRcpForEveryFastPathAbsmax() {
    int checked = 0;
    for (HalfType type : HalfType.values()) {
      for (int magnitude = 1; magnitude < 0x8000; magnitude++) {
        if (type.isFast(magnitude)) {
          float absmax = type.widen(magnitude);
          assertEquals(Float.floatToRawIntBits(GpuMath.rcp(absmax)),
              Float.floatToRawIntBits(ShortMantissaReciprocal.of(absmax)), type + " absmax " + absmax);
          checked++;
        }
      }
    }
    assertEquals((0x7e80 - 0x0d80) + (0x7c00 - 0x0001), checked, "fast-path absmax values of bfloat16 and float16");
  }
}
