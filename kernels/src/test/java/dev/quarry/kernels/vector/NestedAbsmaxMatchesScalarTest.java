package dev.quarry.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.GpuMath;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.kernels.NestedResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property test: double quantization by the vector kernels gives the scalar reference's codes
 * and nested absmax bits for seeded absmax arrays built to hit every branch: realistic absmax,
 * zeros, subnormal and tiny values, runs of equal values (a nested block of one value is all 0 *
 * inf = NaN), NaN and ±inf, values at the largest centered magnitude (scaled to ±1 and one ulp
 * beyond), and lengths that end in a short nested block or a partial vector. The seeds are
 * {@link VectorMatchesScalarTest}'s; each failure names its seed, rerun one with
 * {@code -Dquarry.test.seed=<seed>}.
 */
class NestedAbsmaxMatchesScalarTest {
  private static final int BLOCK = NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
  private static final int STYLES = 8;
  private static final KernelSupport SCALAR = Kernels.scalar();
  private static final KernelSupport VECTOR = VectorKernelSupport.create(true);
  private static final String SEEDS = "dev.quarry.kernels.vector.VectorMatchesScalarTest#seeds";

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void quantizeNestedAbsmaxMatchesScalar(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 24; round++) {
      int n = length(random);
      float[] absmax = absmax(random, n);
      float offset = offset(random, absmax);
      int pad = random.nextInt(9);
      float[] padded = new float[pad + n];
      System.arraycopy(absmax, 0, padded, pad, n);
      int blocks = (n + BLOCK - 1) / BLOCK;
      byte[] expectedCodes = new byte[pad + n];
      byte[] actualCodes = new byte[pad + n];
      float[] expectedNested = new float[pad + blocks];
      float[] actualNested = new float[pad + blocks];
      SCALAR.quantizeNestedAbsmax(padded, pad, n, offset, expectedCodes, pad, expectedNested, pad);
      VECTOR.quantizeNestedAbsmax(padded, pad, n, offset, actualCodes, pad, actualNested, pad);
      String where = "seed " + seed + ", round " + round + ", n " + n + ", offset " + offset;
      assertArrayEquals(expectedCodes, actualCodes, where + ": codes");
      assertArrayEquals(bits(expectedNested), bits(actualNested), where + ": nested absmax bits");
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void byteBufferQuantizerMatchesScalarAcrossChunks(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    // more than one 65536-value chunk of NestedAbsmaxQuantizer, ending in a short nested block
    for (int round = 0; round < 3; round++) {
      int n = 65536 + random.nextInt(1, 3 * BLOCK);
      float[] absmax = absmax(random, n);
      float offset = offset(random, absmax);
      NestedResult expected = NestedResult.of(SCALAR, absmax, offset);
      NestedResult actual = NestedResult.of(VECTOR, absmax, offset);
      String where = "seed " + seed + ", round " + round + ", n " + n + ", offset " + offset;
      assertArrayEquals(expected.codes, actual.codes, where + ": codes");
      assertArrayEquals(bits(expected.nestedAbsmax), bits(actual.nestedAbsmax), where + ": nested absmax bits");
    }
  }

  /**
   * rcp(m) rounds up for 2.7% of mantissas, and then the block's largest value scales to one ulp
   * above 1 (or below -1): outside the map's [-1, 1], which must code as the reference does.
   */
  @Test
  void valuesScaledBeyondOneMatchScalar() {
    SplittableRandom random = new SplittableRandom(11);
    int blocks = 4096;
    float[] absmax = new float[blocks * BLOCK];
    int beyondOne = 0;
    for (int b = 0; b < blocks; b++) {
      float top = Float.intBitsToFloat(0x3f800000 | random.nextInt(1 << 23)) * (float) Math.scalb(1.0, random.nextInt(-20, 20));
      beyondOne += top * GpuMath.rcp(top) > 1f ? 1 : 0;
      for (int i = 0; i < BLOCK; i++) {
        float v = i % 2 == 0 ? top : -top;
        absmax[b * BLOCK + i] = i % 3 == 0 ? Math.nextDown(v) : v;
      }
    }
    NestedResult expected = NestedResult.of(SCALAR, absmax, 0f);
    NestedResult actual = NestedResult.of(VECTOR, absmax, 0f);
    assertArrayEquals(expected.codes, actual.codes, "codes");
    assertArrayEquals(bits(expected.nestedAbsmax), bits(actual.nestedAbsmax), "nested absmax bits");
    assertTrue(beyondOne > blocks / 100, "blocks whose largest value scales beyond 1: " + beyondOne);
  }

  private static int length(SplittableRandom random) {
    switch (random.nextInt(4)) {
      case 0: return 1 + random.nextInt(12);                      // only a partial vector
      case 1: return BLOCK * (1 + random.nextInt(8));             // whole nested blocks
      default: return 1 + random.nextInt(8 * BLOCK);              // usually a short last block
    }
  }

  /** The mean, as the converter takes it, or something else that still keeps the test honest. */
  private static float offset(SplittableRandom random, float[] absmax) {
    switch (random.nextInt(6)) {
      case 0: return 0f;
      case 1: return absmax[random.nextInt(absmax.length)];
      case 2: return (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(-140, 100)));
      default:
        double sum = 0;
        for (float a : absmax) {
          sum += a;
        }
        return (float) (sum / absmax.length);
    }
  }

  /** Nested-block-sized runs, each of one style. */
  private static float[] absmax(SplittableRandom random, int n) {
    float[] x = new float[n];
    for (int start = 0; start < n; start += BLOCK) {
      int end = Math.min(n, start + BLOCK);
      int style = random.nextInt(STYLES);
      double scale = Math.scalb(1.0, random.nextInt(-20, 8));
      for (int i = start; i < end; i++) {
        x[i] = value(random, style, scale, x[start]);
      }
      if (random.nextInt(3) == 0) {
        x[start + random.nextInt(end - start)] = special(random);
      }
      if (style == 7) {
        placeAtTheLargestMagnitude(random, x, start, end);
      }
    }
    return x;
  }

  private static float value(SplittableRandom random, int style, double scale, float first) {
    switch (style) {
      case 0: return (float) (Math.exp(random.nextGaussian() * 0.3) * scale);  // absmax as a layer gives them
      case 1: return 0f;
      case 2: return Float.intBitsToFloat(random.nextInt(0, 0x00800000) | (random.nextInt(8) == 0 ? 0x80000000 : 0));
      case 3: return (float) (random.nextDouble() * Math.scalb(1.0, random.nextInt(-149, -110)));
      case 4: return first == 0f ? (float) scale : first;                        // equal values
      case 5: return special(random);
      case 6: return (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(-126, 128)));
      default: return (float) (random.nextDouble() * scale);
    }
  }

  /**
   * Copies of the run's first value and of its mirror around the offset-free centre, and values
   * an ulp away: with offset 0 they scale to ±1 and, where rcp rounds up, to one ulp beyond.
   */
  private static void placeAtTheLargestMagnitude(SplittableRandom random, float[] x, int start, int end) {
    float top = x[start];
    for (int i = start + 1; i < end; i++) {
      float v = random.nextBoolean() ? top : -top;
      x[i] = random.nextInt(4) == 0 ? Math.nextDown(v) : v;
    }
  }

  private static float special(SplittableRandom random) {
    switch (random.nextInt(7)) {
      case 0: return Float.NaN;
      case 1: return Float.intBitsToFloat(0xffc00001);
      case 2: return Float.POSITIVE_INFINITY;
      case 3: return Float.NEGATIVE_INFINITY;
      case 4: return Float.MAX_VALUE;
      case 5: return -0f;
      default: return Float.MIN_VALUE;
    }
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
