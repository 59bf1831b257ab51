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
 * and compared with the chunk's input, a bounded step of elements at a time. A 4-bit block's 16
 * values and an int8 row's 256 are dequantized once into a table that the codes index, so the
 * per-element work is a lookup, a subtraction and the sums. Under double quantization the codes
 * are dequantized with the exact float32 absmax, so the figures are those of the 4-bit codes; the
 * absmax's own 8-bit rounding is not included. Not thread-safe.
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
  /** The current step's input elements as float32 bits (see {@link #widen}). */
  private int[] inputBits = new int[0];
  /** The current step's 16-bit input elements as read (bf16, f16), before {@link #widen} converts them. */
  private short[] rawHalves = new short[0];
  /** The dequantized value of each code of the current group (16 for 4-bit, 256 for int8 by unsigned byte). */
  private final double[] values = new double[256];

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
      widen(in, first, length);
      for (int start = 0; start < length; start += blocksize) {
        float scale = absmax.getFloat((absmaxFirst + (first + start) / blocksize) * 4);
        for (int code = 0; code < 16; code++) {
          values[code] = Dequantizer.fourBitValue(format, code, scale);
        }
        // two codes a byte, the even element's in the high nibble (blocks start at even elements)
        compareCodes(start, Math.min(length, start + blocksize), packed, first, 1, 4, 0xf);
      }
      count += length;
    }
  }

  /** rows x cols input elements quantized to int8 {@code codes} (from 0), SCB in {@code scb} from float index {@code scbFirst}. */
  public void int8(byte[] in, int rows, int cols, byte[] codes, ByteBuffer scb, int scbFirst) {
    int stepRows = Math.max(1, STEP / cols);
    for (int row = 0; row < rows; row += stepRows) {
      int k = Math.min(stepRows, rows - row);
      widen(in, row * cols, k * cols);
      for (int r = 0; r < k; r++) {
        float rowScale = scb.getFloat((scbFirst + row + r) * 4);
        for (int q = 0; q < 256; q++) {
          values[q] = Dequantizer.int8Value((byte) q, rowScale);
        }
        compareCodes(r * cols, (r + 1) * cols, codes, row * cols, 0, 0, 0xff);
      }
      count += (long) k * cols;
    }
  }

  /** n input elements cast to the float16 values in {@code f16} (little-endian, from index 0). */
  public void cast(byte[] in, int n, byte[] f16) {
    ByteBuffer halves = ByteBuffer.wrap(f16).order(ByteOrder.LITTLE_ENDIAN);
    for (int first = 0; first < n; first += STEP) {
      int length = Math.min(STEP, n - first);
      widen(in, first, length);
      double max = maxAbsError;
      for (int i = 0; i < length; i++) {
        // a group of one element: its square is the group's sum
        double x = Float.intBitsToFloat(inputBits[i]);
        double d = Float16.toFloat(halves.getShort((first + i) * 2)) - x;
        max = Math.max(max, Math.abs(d));
        squaredErrors.add(d * d);
        squaredValues.add(x * x);
      }
      maxAbsError = max;
      count += length;
    }
  }

  public ErrorStats stats() {
    return new ErrorStats(count, maxAbsError, squaredErrors.scaled(), squaredValues.scaled());
  }

  /**
   * Compares input elements [start, end), one group, with the values its codes index in {@link #values}.
   * Element i's code is {@code (codes[(base + i) >> perByteLog2] >>> shift) & mask}, shift being
   * {@code evenShift} for the even elements of the group and 0 for the odd ones: for 4-bit (two
   * codes a byte) perByteLog2 = 1, evenShift = 4, mask = 0xf; for int8 0, 0, 0xff.
   */
  private void compareCodes(int start, int end, byte[] codes, int base, int perByteLog2, int evenShift, int mask) {
    double[] table = values;
    int[] x = inputBits;
    // two interleaved partial sums (a fixed order, so still deterministic): independent chains
    // of additions run in parallel where one chain would wait for each add
    double e0 = 0;
    double e1 = 0;
    double v0 = 0;
    double v1 = 0;
    // the max is exact whatever the order: one per chain keeps the chains independent. Pairs
    // update it as a branch that ignores NaN, a lone last element with Math.max, which keeps one:
    // as the meter always has (inputs are finite here, but the figures must not change even if not)
    double max0 = maxAbsError;
    double max1 = maxAbsError;
    int i = start;
    for (; i + 1 < end; i += 2) {
      double x0 = Float.intBitsToFloat(x[i]);
      double x1 = Float.intBitsToFloat(x[i + 1]);
      double d0 = table[(codes[(base + i) >> perByteLog2] >>> evenShift) & mask] - x0;
      double d1 = table[codes[(base + i + 1) >> perByteLog2] & mask] - x1;
      max0 = larger(max0, Math.abs(d0));
      max1 = larger(max1, Math.abs(d1));
      e0 += d0 * d0;
      e1 += d1 * d1;
      v0 += x0 * x0;
      v1 += x1 * x1;
    }
    if (i < end) {
      double x0 = Float.intBitsToFloat(x[i]);
      double d0 = table[(codes[(base + i) >> perByteLog2] >>> evenShift) & mask] - x0;
      max0 = Math.max(max0, Math.abs(d0));
      e0 += d0 * d0;
      v0 += x0 * x0;
    }
    squaredErrors.add(e0 + e1);
    squaredValues.add(v0 + v1);
    maxAbsError = Math.max(max0, max1);
  }

  /**
   * max(a, b) for a non-NaN {@code a}, as a branch: the running max rarely changes, so the branch
   * is predicted and the max is no chain of dependent instructions (Math.max's NaN and -0.0
   * handling is one on x86). A NaN {@code b} leaves {@code a}.
   */
  private static double larger(double a, double b) {
    return b > a ? b : a;
  }

  /**
   * inputBits[0, length) = the float32 bits of elements [first, first + length) of {@code in}. Bulk
   * copies then simple loops that C2 vectorizes: a byte-by-byte decode cost as much as the compare.
   */
  private void widen(byte[] in, int first, int length) {
    if (inputBits.length < length) {
      inputBits = new int[length];
      rawHalves = new short[length];
    }
    ByteBuffer bytes = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    if (type == ElementType.F32) {
      bytes.position(first * 4);
      bytes.asIntBuffer().get(inputBits, 0, length);
      return;
    }
    bytes.position(first * 2);
    bytes.asShortBuffer().get(rawHalves, 0, length);
    if (type == ElementType.BF16) {
      for (int i = 0; i < length; i++) {
        inputBits[i] = rawHalves[i] << 16;
      }
    } else {
      for (int i = 0; i < length; i++) {
        inputBits[i] = Float.floatToRawIntBits(Float16.toFloat(rawHalves[i]));
      }
    }
  }
}
