package dev.quarry.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.Kernels;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ErrorMeter} against {@link ReferenceErrorMeter} (dequantize everything, then compare
 * element by element, summing exactly) on random inputs, codes and scales: count and max |error|
 * exactly, the sums within the rounding that summing in double within a group allows. And the
 * figures bit for bit the same however the tensor is cut into tasks and chunks at group bounds,
 * and whichever kernels (scalar or vector) run.
 */
class ErrorMeterTest {
  private static final int[] BLOCKSIZES = {32, 64, 256, 4096};

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void fourBitIsTheExactComputationWithinGroupRounding(ElementType type) {
    SplittableRandom random = new SplittableRandom(11 + type.ordinal());
    for (FourBitFormat format : FourBitFormat.values()) {
      for (int blocksize : BLOCKSIZES) {
        for (int n : new int[] {1, blocksize - 1, 3 * blocksize + 17, 70_001, 200_000}) {
          byte[] in = inputs(type, n, random);
          byte[] packed = bytes((n + 1) / 2, random);
          int blocks = (n + blocksize - 1) / blocksize;
          int absmaxFirst = random.nextInt(3);
          ByteBuffer absmax = floats(absmaxFirst + blocks, random);
          ErrorMeter meter = new ErrorMeter(type);
          // two chunks, the first ending at a group boundary
          int split = (n / ErrorMeter.GROUP / 2) * ErrorMeter.GROUP;
          int firstBlocks = split / blocksize;
          meter.fourBit(format, blocksize, in, split, packed, absmax, absmaxFirst);
          meter.fourBit(format, blocksize, tail(in, split * type.byteSize()), n - split, tail(packed, split / 2),
              absmax, absmaxFirst + firstBlocks);
          assertWithinGroupRounding(ReferenceErrorMeter.fourBit(type, format, blocksize, in, n, packed, absmax,
              absmaxFirst), meter.stats(), ErrorMeter.GROUP, type + " " + format + " blocksize " + blocksize + " n " + n);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void int8IsTheExactComputationWithinGroupRounding(ElementType type) {
    SplittableRandom random = new SplittableRandom(23 + type.ordinal());
    for (int cols : new int[] {1, 7, 64, 4097, 70_000}) {
      for (int rows : new int[] {1, 2, 19}) {
        byte[] in = inputs(type, rows * cols, random);
        byte[] codes = bytes(rows * cols, random);
        int scbFirst = random.nextInt(3);
        ByteBuffer scb = floats(scbFirst + rows, random);
        ErrorMeter meter = new ErrorMeter(type);
        int split = rows / 2;
        meter.int8(in, split, cols, codes, scb, scbFirst);
        meter.int8(tail(in, split * cols * type.byteSize()), rows - split, cols, tail(codes, split * cols), scb,
            scbFirst + split);
        assertWithinGroupRounding(ReferenceErrorMeter.int8(type, in, rows, cols, codes, scb, scbFirst), meter.stats(),
            cols, type + " " + rows + " x " + cols);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void castIsTheExactComputationWithinGroupRounding(ElementType type) {
    SplittableRandom random = new SplittableRandom(31 + type.ordinal());
    int n = 150_001;
    byte[] in = inputs(type, n, random);
    byte[] f16 = inputs(ElementType.F16, n, random);
    ErrorMeter meter = new ErrorMeter(type);
    int split = 16 * ErrorMeter.GROUP;
    meter.cast(in, split, f16);
    meter.cast(tail(in, split * type.byteSize()), n - split, tail(f16, split * 2));
    assertWithinGroupRounding(ReferenceErrorMeter.cast(type, in, n, f16), meter.stats(), ErrorMeter.GROUP,
        type.toString());
  }

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void figuresDoNotDependOnTheCutNorOnTheKernels(ElementType type) {
    SplittableRandom random = new SplittableRandom(41 + type.ordinal());
    int n = 300_007;
    byte[] in = inputs(type, n, random);
    int bytes = type.byteSize();
    for (int blocksize : BLOCKSIZES) {
      byte[] packed = bytes((n + 1) / 2, random);
      ByteBuffer absmax = floats((n + blocksize - 1) / blocksize, random);
      assertCutIndependent(type, n, ErrorMeter.GROUP, random, (meter, from, length) -> meter.fourBit(FourBitFormat.NF4,
          blocksize, tail(in, from * bytes), length, tail(packed, from / 2), absmax, from / blocksize),
          type + " nf4 blocksize " + blocksize);
    }
    int cols = 1_001;
    int rows = n / cols;
    byte[] codes = bytes(rows * cols, random);
    ByteBuffer scb = floats(rows, random);
    assertCutIndependent(type, rows * cols, cols, random, (meter, from, length) -> meter.int8(tail(in, from * bytes),
        length / cols, cols, tail(codes, from), scb, from / cols), type + " int8");
    byte[] f16 = inputs(ElementType.F16, n, random);
    assertCutIndependent(type, n, ErrorMeter.GROUP, random, (meter, from, length) -> meter.cast(
        tail(in, from * bytes), length, tail(f16, from * 2)), type + " cast");
  }

  /** Feeds elements [from, from + length) of a tensor to a meter. */
  private interface Feed {
    void run(ErrorMeter meter, int from, int length);
  }

  /**
   * The whole tensor in one call on the scalar kernels, against random cuts at group bounds into
   * tasks (a meter each, merged as the driver merges them) and chunks (calls on one meter), on the
   * kernels this JVM picks: the same bits.
   */
  private static void assertCutIndependent(ElementType type, int n, int group, SplittableRandom random, Feed feed,
      String where) {
    ErrorMeter whole = new ErrorMeter(Kernels.scalar(), type);
    feed.run(whole, 0, n);
    for (int round = 0; round < 3; round++) {
      ErrorStats merged = ErrorStats.NONE;
      int from = 0;
      while (from < n) {
        int task = Math.min(n - from, group * (1 + random.nextInt(Math.max(1, n / group / 2))));
        ErrorMeter meter = new ErrorMeter(type);
        for (int at = from; at < from + task; ) {
          int chunk = Math.min(from + task - at, group * (1 + random.nextInt(40)));
          feed.run(meter, at, chunk);
          at += chunk;
        }
        merged = merged.merge(meter.stats());
        from += task;
      }
      assertEquals(whole.stats(), merged, where + ", round " + round);
    }
  }

  /**
   * Count and max exactly; each sum within the rounding error of summing non-negative doubles in
   * double within a group: a lane adds at most ceil(group / 16) terms in sequence, then 16 lanes
   * combine in a tree of depth 4, so each computed group sum is within (ceil(group / 16) - 1 + 4) u
   * (u = 2^-53, to first order) of its exact value, relative; group sums then add exactly, so the
   * total obeys the same relative bound (1e-13-ish for groups of 4096). One extra u covers the
   * second-order terms.
   */
  private static void assertWithinGroupRounding(ErrorStats exact, ErrorStats measured, int group, String where) {
    assertEquals(exact.count(), measured.count(), where + ": count");
    assertEquals(exact.maxAbsError(), measured.maxAbsError(), where + ": max |error|");
    BigDecimal tolerance = new BigDecimal((Math.ceil(group / 16.0) + 4) * 0x1p-53);
    assertWithin(exact.squaredErrors(), measured.squaredErrors(), tolerance, where + ": sum of squared errors");
    assertWithin(exact.squaredValues(), measured.squaredValues(), tolerance, where + ": sum of squared values");
  }

  private static void assertWithin(BigInteger exact, BigInteger measured, BigDecimal relative, String what) {
    BigDecimal error = new BigDecimal(exact.subtract(measured).abs());
    BigDecimal allowed = new BigDecimal(exact).multiply(relative);
    assertTrue(error.compareTo(allowed) <= 0, () -> what + ": exact " + ExactSquareSum.toDouble(exact) + ", measured "
        + ExactSquareSum.toDouble(measured) + ", relative error " + error.divide(new BigDecimal(exact.max(BigInteger.ONE)), java.math.MathContext.DECIMAL64)
        + " above " + relative.round(java.math.MathContext.DECIMAL32));
  }

  /** n finite values of {@code type} (little-endian) over many magnitudes, with zeros and subnormals. */
  private static byte[] inputs(ElementType type, int n, SplittableRandom random) {
    ByteBuffer out = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case BF16 -> out.putShort((short) (finiteFloatBits(random, 0x7f7f_ffff) >>> 16));
        case F16 -> out.putShort((short) finiteHalfBits(random));
        case F32 -> out.putInt(finiteFloatBits(random, 0x7f7f_ffff));
      }
    }
    return out.array();
  }

  private static int finiteFloatBits(SplittableRandom random, int maxMagnitude) {
    int kind = random.nextInt(20);
    int magnitude = kind == 0 ? 0 : kind == 1 ? random.nextInt(0x0080_0000) // zero, subnormal
        : Float.floatToRawIntBits((float) Math.scalb(random.nextDouble(0.5, 1), random.nextInt(-40, 40)));
    return Math.min(magnitude, maxMagnitude) | (random.nextBoolean() ? 0x8000_0000 : 0);
  }

  private static int finiteHalfBits(SplittableRandom random) {
    return random.nextInt(0x7c00) | (random.nextBoolean() ? 0x8000 : 0);
  }

  /** Scales (absmax, SCB) as little-endian float32: positive, over many magnitudes, some zero. */
  private static ByteBuffer floats(int count, SplittableRandom random) {
    ByteBuffer out = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      out.putInt(finiteFloatBits(random, 0x7f7f_ffff) & 0x7fff_ffff);
    }
    return out;
  }

  private static byte[] bytes(int n, SplittableRandom random) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }

  private static byte[] tail(byte[] a, int from) {
    return java.util.Arrays.copyOfRange(a, from, a.length);
  }
}
