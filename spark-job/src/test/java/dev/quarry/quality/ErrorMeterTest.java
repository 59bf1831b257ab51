package dev.quarry.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ErrorMeter} bit for bit against {@link ReferenceErrorMeter} (dequantize everything, then
 * compare) on random inputs, codes and scales: the manifest's figures must not depend on how the
 * meter computes them. Sizes end in partial groups and odd group lengths; every call is split in
 * two chunks, as the block processor feeds it.
 */
class ErrorMeterTest {
  private static final int[] BLOCKSIZES = {32, 64, 256, 4096};

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void fourBitIsTheStraightforwardComputation(ElementType type) {
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
          // two chunks, the first ending at a block boundary
          int firstBlocks = blocks / 2;
          int split = firstBlocks * blocksize;
          meter.fourBit(format, blocksize, in, split, packed, absmax, absmaxFirst);
          meter.fourBit(format, blocksize, tail(in, split * type.byteSize()), n - split, tail(packed, split / 2),
              absmax, absmaxFirst + firstBlocks);
          assertEquals(ReferenceErrorMeter.fourBit(type, format, blocksize, in, n, packed, absmax, absmaxFirst),
              meter.stats(), () -> type + " " + format + " blocksize " + blocksize + " n " + n);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void int8IsTheStraightforwardComputation(ElementType type) {
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
        assertEquals(ReferenceErrorMeter.int8(type, in, rows, cols, codes, scb, scbFirst), meter.stats(),
            () -> type + " " + rows + " x " + cols);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void castIsTheStraightforwardComputation(ElementType type) {
    SplittableRandom random = new SplittableRandom(31 + type.ordinal());
    int n = 150_001;
    byte[] in = inputs(type, n, random);
    byte[] f16 = inputs(ElementType.F16, n, random);
    ErrorMeter meter = new ErrorMeter(type);
    int split = 65_537;
    meter.cast(in, split, f16);
    meter.cast(tail(in, split * type.byteSize()), n - split, tail(f16, split * 2));
    assertEquals(ReferenceErrorMeter.cast(type, in, n, f16), meter.stats());
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
