package dev.quarry.quality;

import dev.quarry.kernels.Dequantizer;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16;
import dev.quarry.kernels.FourBitFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Measures the quantization error of one block task while it runs: each chunk the kernels just
 * quantized is dequantized again (the kernels' {@link Dequantizer}, as bitsandbytes computes it)
 * and compared with the chunk's input, a bounded step of elements at a time. Under double
 * quantization the codes are dequantized with the exact float32 absmax, so the figures are those of
 * the 4-bit codes; the absmax's own 8-bit rounding is not included. Not thread-safe.
 *
 * <p>Squares are summed in double within a group of elements whose bounds every way of cutting the
 * tensor into tasks respects (a quantization block, an int8 row; a single element for a cast), and
 * the group sums exactly ({@link ExactSquareSum}): the totals never depend on the cut, and the exact
 * accumulator is touched once per group, not per element.
 */
public final class ErrorMeter {
  /** Elements per step: a multiple of every 4-bit blocksize. */
  private static final int STEP = 1 << 16;

  private final ElementType type;
  private final ExactSquareSum squaredErrors = new ExactSquareSum();
  private final ExactSquareSum squaredValues = new ExactSquareSum();
  private long count;
  private double maxAbsError;
  private float[] input = new float[0];
  private float[] output = new float[0];
  private float[] scales = new float[0];

  public ErrorMeter(ElementType type) {
    this.type = type;
  }

  /**
   * n input elements (little-endian, from index 0 of {@code in}) quantized to {@code packed} (from
   * index 0) with their float32 absmax in {@code absmax} from float index {@code absmaxFirst}.
   */
  public void fourBit(FourBitFormat format, int blocksize, byte[] in, int n, byte[] packed, ByteBuffer absmax,
      int absmaxFirst) {
    for (int first = 0; first < n; first += STEP) {
      int length = Math.min(STEP, n - first);
      int blocks = (length + blocksize - 1) / blocksize;
      scales = floats(absmax, absmaxFirst + first / blocksize, blocks, scales);
      reserve(length);
      Dequantizer.fourBit(format, blocksize, packed, first / 2, scales, 0, length, output, 0);
      compare(in, first, length, blocksize);
    }
  }

  /** rows x cols input elements quantized to int8 {@code codes} (from 0), SCB in {@code scb} from float index {@code scbFirst}. */
  public void int8(byte[] in, int rows, int cols, byte[] codes, ByteBuffer scb, int scbFirst) {
    int stepRows = Math.max(1, STEP / cols);
    for (int row = 0; row < rows; row += stepRows) {
      int k = Math.min(stepRows, rows - row);
      scales = floats(scb, scbFirst + row, k, scales);
      reserve(k * cols);
      Dequantizer.int8Rows(codes, row * cols, k, cols, scales, 0, output, 0);
      compare(in, row * cols, k * cols, cols);
    }
  }

  /** n input elements cast to the float16 values in {@code f16} (little-endian, from index 0). */
  public void cast(byte[] in, int n, byte[] f16) {
    ByteBuffer halves = ByteBuffer.wrap(f16).order(ByteOrder.LITTLE_ENDIAN);
    for (int first = 0; first < n; first += STEP) {
      int length = Math.min(STEP, n - first);
      reserve(length);
      for (int i = 0; i < length; i++) {
        output[i] = Float16.toFloat(halves.getShort((first + i) * 2));
      }
      compare(in, first, length, 1);
    }
  }

  public ErrorStats stats() {
    return new ErrorStats(count, maxAbsError, squaredErrors.scaled(), squaredValues.scaled());
  }

  /**
   * Compares output[0, length) with input elements [first, first + length) of {@code in}, in groups
   * of {@code group} elements (the last may be short).
   */
  private void compare(byte[] in, int first, int length, int group) {
    widen(in, first, length);
    double max = maxAbsError;
    for (int start = 0; start < length; start += group) {
      int end = Math.min(length, start + group);
      // two interleaved partial sums (a fixed order, so still deterministic): independent chains
      // of additions run in parallel where one chain would wait for each add
      double e0 = 0;
      double e1 = 0;
      double v0 = 0;
      double v1 = 0;
      int i = start;
      for (; i + 1 < end; i += 2) {
        double x0 = input[i];
        double x1 = input[i + 1];
        double d0 = output[i] - x0; // exact in double for all but far-apart magnitudes
        double d1 = output[i + 1] - x1;
        double a0 = Math.abs(d0);
        double a1 = Math.abs(d1);
        if (a0 > max) {
          max = a0;
        }
        if (a1 > max) {
          max = a1;
        }
        e0 += d0 * d0;
        e1 += d1 * d1;
        v0 += x0 * x0;
        v1 += x1 * x1;
      }
      if (i < end) {
        double x = input[i];
        double d = output[i] - x;
        max = Math.max(max, Math.abs(d));
        e0 += d * d;
        v0 += x * x;
      }
      squaredErrors.add(e0 + e1);
      squaredValues.add(v0 + v1);
    }
    maxAbsError = max;
    count += length;
  }

  /** input[0, length) = elements [first, first + length) of {@code in}, exactly as float32. */
  private void widen(byte[] in, int first, int length) {
    switch (type) {
      case BF16 -> {
        for (int i = 0, at = first * 2; i < length; i++, at += 2) {
          input[i] = Float.intBitsToFloat(((in[at] & 0xff) | (in[at + 1] & 0xff) << 8) << 16);
        }
      }
      case F16 -> {
        for (int i = 0, at = first * 2; i < length; i++, at += 2) {
          input[i] = Float16.toFloat((short) ((in[at] & 0xff) | (in[at + 1] & 0xff) << 8));
        }
      }
      case F32 -> {
        for (int i = 0, at = first * 4; i < length; i++, at += 4) {
          input[i] = Float.intBitsToFloat((in[at] & 0xff) | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff) << 16
              | (in[at + 3] & 0xff) << 24);
        }
      }
    }
  }

  private void reserve(int length) {
    if (output.length < length) {
      output = new float[length];
      input = new float[length];
    }
  }

  private static float[] floats(ByteBuffer src, int firstFloat, int count, float[] reuse) {
    float[] out = reuse.length >= count ? reuse : new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = src.getFloat((firstFloat + i) * 4);
    }
    return out;
  }
}
