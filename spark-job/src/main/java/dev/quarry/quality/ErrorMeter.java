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
      compare(in, first, length);
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
      compare(in, row * cols, k * cols);
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
      compare(in, first, length);
    }
  }

  public ErrorStats stats() {
    return new ErrorStats(count, maxAbsError, squaredErrors.scaled(), squaredValues.scaled());
  }

  /** Compares output[0, length) with input elements [first, first + length) of {@code in}. */
  private void compare(byte[] in, int first, int length) {
    ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < length; i++) {
      int at = (first + i) * type.byteSize();
      input[i] = type == ElementType.F32 ? b.getFloat(at) : Float16.widen(type, b.getShort(at));
    }
    for (int i = 0; i < length; i++) {
      double x = input[i];
      double error = output[i] - x; // exact in double for all but far-apart magnitudes
      maxAbsError = Math.max(maxAbsError, Math.abs(error));
      squaredErrors.add(error * error);
      squaredValues.add(x * x);
    }
    count += length;
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
