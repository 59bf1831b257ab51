package dev.quarry.quality;

import dev.quarry.kernels.Dequantizer;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16;
import dev.quarry.kernels.FourBitFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The error statistics computed the straightforward way, independently of {@link ErrorMeter} and
 * its kernels: the whole input widened to float32, the whole output dequantized by the kernels'
 * {@link Dequantizer}, then per element {@code d = (double) out - (double) x}, the max of |d|, and
 * the squares {@code d * d} and {@code x * x} (rounded to double, as the meter rounds them) summed
 * exactly ({@link ExactSquareSum}, itself checked against BigDecimal). The meter sums in double
 * within groups, so its sums differ from these by at most the rounding of those group sums.
 */
public final class ReferenceErrorMeter {
  private ReferenceErrorMeter() {
  }

  public static ErrorStats fourBit(ElementType type, FourBitFormat format, int blocksize, byte[] in, int n,
      byte[] packed, ByteBuffer absmax, int absmaxFirst) {
    float[] scales = new float[(n + blocksize - 1) / blocksize];
    for (int b = 0; b < scales.length; b++) {
      scales[b] = absmax.getFloat((absmaxFirst + b) * 4);
    }
    float[] out = new float[n];
    Dequantizer.fourBit(format, blocksize, packed, 0, scales, 0, n, out, 0);
    return compare(widen(type, in, n), out);
  }

  public static ErrorStats int8(ElementType type, byte[] in, int rows, int cols, byte[] codes, ByteBuffer scb,
      int scbFirst) {
    float[] scales = new float[rows];
    for (int r = 0; r < rows; r++) {
      scales[r] = scb.getFloat((scbFirst + r) * 4);
    }
    float[] out = new float[rows * cols];
    Dequantizer.int8Rows(codes, 0, rows, cols, scales, 0, out, 0);
    return compare(widen(type, in, rows * cols), out);
  }

  public static ErrorStats cast(ElementType type, byte[] in, int n, byte[] f16) {
    ByteBuffer halves = ByteBuffer.wrap(f16).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = Float16.toFloat(halves.getShort(i * 2));
    }
    return compare(widen(type, in, n), out);
  }

  private static float[] widen(ElementType type, byte[] in, int n) {
    ByteBuffer bytes = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = switch (type) {
        case BF16 -> Float.intBitsToFloat(bytes.getShort(i * 2) << 16);
        case F16 -> Float16.toFloat(bytes.getShort(i * 2));
        case F32 -> bytes.getFloat(i * 4);
      };
    }
    return x;
  }

  private static ErrorStats compare(float[] x, float[] out) {
    ExactSquareSum errors = new ExactSquareSum();
    ExactSquareSum values = new ExactSquareSum();
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      double d = (double) out[i] - x[i];
      max = Math.max(max, Math.abs(d));
      errors.add(d * d);
      values.add((double) x[i] * x[i]);
    }
    return new ErrorStats(x.length, max, errors.scaled(), values.scaled());
  }
}
