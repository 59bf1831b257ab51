package dev.quarry.kernels;

/**
 * The 4-bit code of a scaled value {@code s = FTZ(x * rcp(absmax))} ({@code bnb-exact.md} §2
 * step 3). Counting the thresholds that {@code s} exceeds is what bitsandbytes' decision trees
 * ({@code dQuantizeNF4}, {@code dQuantizeFP4}) compute; a NaN exceeds none, so it gets code 0.
 */
public final class FourBitCoder {
  private static final float[] NF4_THRESHOLDS = floats(FourBitFormat.NF4_THRESHOLD_BITS);

  private FourBitCoder() {
  }

  public static int code(FourBitFormat format, float scaled) {
    return format == FourBitFormat.NF4 ? nf4(scaled) : fp4(scaled);
  }

  private static int nf4(float scaled) {
    int code = 0;
    for (float threshold : NF4_THRESHOLDS) {
      if (scaled > threshold) {
        code++;
      }
    }
    return code;
  }

  private static int fp4(float scaled) {
    int sign = scaled < 0 ? 8 : 0; // -0.0 is not < 0: it codes as +0
    float magnitude = Math.abs(scaled);
    int rank = 0;
    for (float threshold : FourBitFormat.FP4_MAGNITUDE_THRESHOLDS) {
      if (magnitude > threshold) {
        rank++;
      }
    }
    return sign + FourBitFormat.FP4_MAGNITUDE_CODE[rank];
  }

  private static float[] floats(int[] bits) {
    float[] values = new float[bits.length];
    for (int i = 0; i < bits.length; i++) {
      values[i] = Float.intBitsToFloat(bits[i]);
    }
    return values;
  }
}
