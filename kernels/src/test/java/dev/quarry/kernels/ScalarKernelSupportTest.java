package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What the GPU formulas give for inputs the reference vectors do not hold (NaN, ±inf), worked out
 * by hand from {@code bnb-exact.md}; the Vector kernels are held to the same results.
 */
class ScalarKernelSupportTest {
  private final KernelSupport kernels = new ScalarKernelSupport();

  @Test
  void infinityInABlockMakesTheScaleZeroAndItselfNan() {
    float[] x = new float[32];
    x[0] = Float.POSITIVE_INFINITY;
    x[1] = -2f;
    byte[] packed = new byte[16];
    float[] absmax = new float[1];
    kernels.quantize4Bit(FourBitFormat.NF4, x, 0, 32, 32, packed, 0, absmax, 0);
    assertEquals(Float.POSITIVE_INFINITY, absmax[0]);
    // rcp(inf) = 0: inf * 0 = NaN → code 0; -2 * 0 = -0 → NF4 code 7 (above the 7 negative thresholds)
    assertEquals((byte) 0x07, packed[0]);
    assertEquals((byte) 0x77, packed[1]);
  }

  @Test
  void nanIsSkippedByTheMaxAndCodesZero() {
    float[] x = new float[32];
    Arrays.fill(x, Float.NaN);
    x[5] = 0.5f;
    byte[] packed = new byte[16];
    float[] absmax = new float[1];
    kernels.quantize4Bit(FourBitFormat.FP4, x, 0, 32, 32, packed, 0, absmax, 0);
    assertEquals(0.5f, absmax[0]);
    assertEquals((byte) 0x03, packed[2]); // element 4 NaN → 0; element 5 = 1.0 scaled → FP4 code 3
  }

  @Test
  void aFullBlockOfNanKeepsMinusFltMaxAndAShortOneZero() {
    float[] x = new float[48];
    Arrays.fill(x, Float.NaN);
    byte[] packed = new byte[24];
    float[] absmax = new float[2];
    kernels.quantize4Bit(FourBitFormat.NF4, x, 0, 48, 32, packed, 0, absmax, 0);
    assertArrayEquals(new float[] {-Float.MAX_VALUE, 0f}, absmax);
    assertArrayEquals(new byte[24], packed);
  }

  @Test
  void oddCountPadsWithTheCodeOfZeroUnlessTheLastBlockIsAllZero() {
    float[] x = new float[33];
    x[32] = -1f;
    byte[] packed = new byte[17];
    float[] absmax = new float[2];
    kernels.quantize4Bit(FourBitFormat.NF4, x, 0, 33, 32, packed, 0, absmax, 0);
    assertEquals((byte) 0x07, packed[16]); // -1 → NF4 code 0, padding q(0.0) = 7
    assertEquals((byte) 0x00, packed[0]); // the all-zero first block: 0 * rcp(0) = NaN → code 0
    x[32] = 0f;
    kernels.quantize4Bit(FourBitFormat.NF4, x, 0, 33, 32, packed, 0, absmax, 0);
    assertEquals((byte) 0x00, packed[16]); // all-zero last block: the padding is NaN too
  }

  @Test
  void int8RowOfInfinityAndNan() {
    short inf = Float16.fromFloat(Float.POSITIVE_INFINITY);
    short nan = Float16.fromFloat(Float.NaN);
    short one = Float16.fromFloat(1f);
    short[] x = {inf, one, nan, nan};
    byte[] q = new byte[4];
    float[] scb = new float[2];
    kernels.quantizeInt8Rows(ElementType.F16, x, 0, 2, 2, q, 0, scb, 0);
    // row 0: absmax inf, scale 127 * rcp(inf) = 0, inf * 0 = NaN → 0; row 1: the float16 max starts
    // at half(-FLT_MIN) = -0.0 and NaN never replaces it
    assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, -0f}, scb);
    assertArrayEquals(new byte[4], q);
  }

  @Test
  void int8ZeroRowAndRounding() {
    float[] x = {-0f, -0f, -0f, -0f, 2f, -1f, 0.5f, 1f / 254f};
    byte[] q = new byte[8];
    float[] scb = new float[2];
    kernels.quantizeInt8Rows(x, 0, 2, 4, q, 0, scb, 0);
    assertArrayEquals(new float[] {0f, 2f}, scb); // +0: |-0| = +0 beats the -0 start (assertArrayEquals tells the zeros apart)
    // 127 * rcp(2) = 63.5 exactly: 0.5 * 63.5 = 31.75 → 32; float16(1/254) * 63.5 ≈ 0.25 → 0
    assertArrayEquals(new byte[] {0, 0, 0, 0, 127, -64, 32, 0}, q);
  }

  @Test
  void float16OverflowIsReportedWithItsIndex() {
    float[] x = {1f, 65519f, 65520f};
    Float16OverflowException e = assertThrows(Float16OverflowException.class,
        () -> kernels.castToFloat16(x, 0, 3, new short[3], 0));
    assertEquals(2, e.elementIndex());
    assertThrows(Float16OverflowException.class, () -> kernels.quantizeInt8Rows(x, 0, 1, 3, new byte[3], 0, new float[1], 0));
  }

  @Test
  void castKeepsFloat16BitsAndRoundsBfloat16() {
    short[] halves = {(short) 0x7e01, (short) 0xfc00, (short) 0x0001, (short) 0x3c00};
    short[] out = new short[4];
    kernels.castToFloat16(ElementType.F16, halves, 0, 4, out, 0);
    assertArrayEquals(halves, out);
    // bfloat16 1 + 2^-7 is exact in float16; 2^-24 is the smallest float16 subnormal; 2^-26 rounds to 0
    short[] bf16 = {(short) 0x3f81, (short) 0x3380, (short) 0x3280, (short) 0xffc1};
    kernels.castToFloat16(ElementType.BF16, bf16, 0, 4, out, 0);
    assertArrayEquals(new short[] {(short) 0x3c08, (short) 0x0001, (short) 0x0000, (short) 0xfe00}, out);
  }

  @Test
  void unsupportedBlocksizesAreRejected() {
    for (int blocksize : new int[] {16, 48, 8192}) {
      assertThrows(IllegalArgumentException.class,
          () -> kernels.quantize4Bit(FourBitFormat.NF4, new float[64], 0, 64, blocksize, new byte[32], 0, new float[4], 0));
    }
  }
}
