package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;
import java.util.SplittableRandom;

/**
 * Seeded random inputs built to hit every branch of the kernels: each block (or row) gets a style
 * (ordinary, wide exponent range, special values, subnormals, all-zero, constant, huge, or values
 * on and one step around the scaled 4-bit decision bounds). Values are produced as float32 and
 * then rounded to the element type by the caller's {@link #bf16} / {@link #f16Bits} helpers.
 */
final class AdversarialInputs {
  private static final int STYLES = 9;
  private final SplittableRandom random;

  AdversarialInputs(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** {@code n} float32 values, styled per run of {@code group} elements. */
  float[] floats(int n, int group, FourBitFormat format) {
    float[] x = new float[n];
    for (int start = 0; start < n; start += group) {
      fill(x, start, Math.min(n, start + group), random.nextInt(STYLES), format);
    }
    return x;
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  private void fill(float[] x, int from, int to, int style, FourBitFormat format) {
    float scale = (float) Math.scalb(1.0, random.nextInt(-40, 20));
    for (int i = from; i < to; i++) {
      switch (style) {
        case 0: x[i] = (float) random.nextGaussian() * scale; break;
        case 1: x[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(-140, 128))); break;
        case 2: x[i] = special(); break;
        case 3: x[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(-150, -118))); break;
        case 4: x[i] = random.nextInt(8) == 0 ? -0f : 0f; break;
        case 5: x[i] = i == from ? (float) random.nextGaussian() * scale : x[from]; break;
        case 6: x[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(100, 128))); break;
        default: x[i] = (float) random.nextGaussian() * scale;
      }
    }
    if (style >= 7) {
      placeOnBounds(x, from, to, format);
    }
    if (random.nextInt(4) == 0) {
      x[from + random.nextInt(to - from)] = special();
    }
  }

  /** Puts values at (and one float/bf16 step around) bound * absmax, for a random absmax. */
  private void placeOnBounds(float[] x, int from, int to, FourBitFormat format) {
    float[] bounds = FourBitCuts.of(format).bounds();
    float absmax = 0;
    for (int i = from; i < to; i++) {
      absmax = Math.max(absmax, Math.abs(x[i]));
    }
    if (!(absmax > 0) || Float.isInfinite(absmax)) {
      return;
    }
    for (int i = from + 1; i < to; i++) {
      float y = bounds[random.nextInt(bounds.length)] * absmax;
      int step = random.nextInt(3) - 1;
      x[i] = random.nextBoolean()
          ? Float.intBitsToFloat(Float.floatToRawIntBits(y) + step)
          : Float.intBitsToFloat(Float.floatToRawIntBits(bf16RoundToFloat(y)) + (step << 16));
    }
  }

  private float special() {
    switch (random.nextInt(10)) {
      case 0: return Float.NaN;
      case 1: return Float.POSITIVE_INFINITY;
      case 2: return Float.NEGATIVE_INFINITY;
      case 3: return Float.MIN_VALUE * (random.nextBoolean() ? 1 : -1);
      case 4: return Float.MIN_NORMAL * (random.nextBoolean() ? 1 : -1);
      case 5: return Float.MAX_VALUE * (random.nextBoolean() ? 1 : -1);
      case 6: return 65504f * (random.nextBoolean() ? 1 : -1);
      case 7: return 65520f * (random.nextBoolean() ? 1 : -1);
      case 8: return 0x1p-24f * (random.nextBoolean() ? 1 : -1);
      default: return -0f;
    }
  }

  private static float bf16RoundToFloat(float y) {
    return Float.intBitsToFloat(bf16(y) << 16);
  }

  /** float32 to bfloat16 bits, round to nearest even; NaN stays NaN. */
  static short bf16(float v) {
    if (Float.isNaN(v)) {
      return (short) 0x7fc0;
    }
    int bits = Float.floatToRawIntBits(v);
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** float32 to float16 bits, round to nearest even (overflow to inf), computed through double. */
  static short f16Bits(float v) {
    int sign = Float.floatToRawIntBits(v) >>> 31 << 15;
    double a = Math.abs((double) v);
    if (Double.isNaN(a)) {
      return (short) 0x7e00;
    }
    if (a >= 65520.0) {
      return (short) (sign | 0x7c00);
    }
    int exponent = Math.max(Math.getExponent(a), -14);
    double ulp = Math.scalb(1.0, exponent - 10);
    long units = (long) Math.rint(a / ulp); // exact division by a power of two; rint is ties-to-even
    int bits = units == 0 ? 0 : (exponent + 15 - 1 << 10) + (int) units;
    if (exponent == -14 && units < 1024) {
      bits = (int) units;
    }
    return (short) (sign | bits);
  }
}
