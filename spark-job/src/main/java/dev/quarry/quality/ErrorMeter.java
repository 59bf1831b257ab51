package dev.quarry.quality;

import dev.quarry.kernels.Blocksize;
import dev.quarry.kernels.Dequantizer;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.GroupSquares;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import dev.quarry.kernels.LaneSquares;
import java.nio.ByteBuffer;

/**
 * Measures the quantization error of one block task while it runs: each chunk the kernels just
 * quantized is compared with its input by the error kernels ({@link KernelSupport#fourBitError}
 * and its siblings), which dequantize the codes as bitsandbytes does ({@link Dequantizer}). Under
 * double quantization the codes are dequantized with the exact float32 absmax, so the figures are
 * those of the 4-bit codes; the absmax's own 8-bit rounding is not included. Not thread-safe.
 *
 * <p>The kernels sum squares in double within a group of elements ({@link LaneSquares} fixes the
 * order): {@link #GROUP} elements for 4-bit codes and casts (aligned in the tensor's element
 * coordinates: a whole number of quantization blocks), a row for int8. Every way of cutting a
 * tensor into tasks and chunks respects those bounds ({@code convert.Planner}), and the group sums
 * add exactly ({@link ExactSquareSum}), so the totals never depend on the cut. Groups much larger
 * than a 64-element block keep the per-group work (combining lanes, exact adds) negligible.
 */
public final class ErrorMeter {
  /**
   * Elements per group of 4-bit codes and of casts, the largest 4-bit blocksize (so a multiple of
   * every one): tasks and chunks of those tensors are multiples of it.
   */
  public static final int GROUP = Blocksize.MAX;
  /** Elements per kernel call (bounds the per-call group sums): a multiple of {@link #GROUP}. */
  private static final int STEP = 1 << 16;

  private final KernelSupport kernels;
  private final ElementType type;
  /** False for work whose error nobody reads (a lone file quantized in process has no manifest). */
  private final boolean measures;
  private final ExactSquareSum squaredErrors = new ExactSquareSum();
  private final ExactSquareSum squaredValues = new ExactSquareSum();
  private final GroupSquares groups = new GroupSquares();
  private long count;
  private double maxAbsError;
  /** The current step's absmax or SCB values. */
  private float[] scales = new float[0];

  public ErrorMeter(ElementType type) {
    this(Kernels.get(), type);
  }

  public ErrorMeter(KernelSupport kernels, ElementType type) {
    this(kernels, type, true);
  }

  private ErrorMeter(KernelSupport kernels, ElementType type, boolean measures) {
    this.kernels = kernels;
    this.type = type;
    this.measures = measures;
  }

  /** A meter that measures nothing, for work whose error is not reported: it costs no pass over the codes. */
  public static ErrorMeter none(ElementType type) {
    return new ErrorMeter(null, type, false);
  }

  /**
   * n input elements (little-endian, from index 0 of {@code in}) quantized to {@code packed} (from
   * index 0) with their float32 absmax in {@code absmax} from float index {@code absmaxFirst}; the
   * first element starts a group (a multiple of {@link #GROUP} in the tensor).
   */
  public void fourBit(FourBitFormat format, int blocksize, byte[] in, int n, byte[] packed, ByteBuffer absmax,
      int absmaxFirst) {
    if (!measures) {
      return;
    }
    for (int first = 0; first < n; first += STEP) {
      int length = Math.min(STEP, n - first);
      readScales(absmax, absmaxFirst + first / blocksize, (length + blocksize - 1) / blocksize);
      kernels.fourBitError(format, type, in, first * type.byteSize(), length, blocksize, GROUP, packed, first / 2,
          scales, 0, groups);
      absorb(length);
    }
  }

  /** rows x cols input elements quantized to int8 {@code codes} (from 0), SCB in {@code scb} from float index {@code scbFirst}. */
  public void int8(byte[] in, int rows, int cols, byte[] codes, ByteBuffer scb, int scbFirst) {
    if (!measures) {
      return;
    }
    int stepRows = Math.max(1, STEP / cols);
    for (int row = 0; row < rows; row += stepRows) {
      int k = Math.min(stepRows, rows - row);
      readScales(scb, scbFirst + row, k);
      kernels.int8RowsError(type, in, row * cols * type.byteSize(), k, cols, codes, row * cols, scales, 0, groups);
      absorb((long) k * cols);
    }
  }

  /**
   * n input elements cast to the float16 values in {@code f16} (little-endian, from index 0); the
   * first element starts a group (a multiple of {@link #GROUP} in the tensor).
   */
  public void cast(byte[] in, int n, byte[] f16) {
    if (!measures) {
      return;
    }
    for (int first = 0; first < n; first += STEP) {
      int length = Math.min(STEP, n - first);
      kernels.castError(type, in, first * type.byteSize(), length, f16, first * 2, GROUP, groups);
      absorb(length);
    }
  }

  public ErrorStats stats() {
    if (!measures) {
      return ErrorStats.NONE;
    }
    return new ErrorStats(count, maxAbsError, squaredErrors.scaled(), squaredValues.scaled());
  }

  /** Adds the last kernel call's groups, exactly. */
  private void absorb(long elements) {
    for (int g = 0; g < groups.groups(); g++) {
      squaredErrors.add(groups.squaredErrors(g));
      squaredValues.add(groups.squaredValues(g));
    }
    maxAbsError = Math.max(maxAbsError, groups.maxAbsError());
    count += elements;
  }

  /** scales = floats [first, first + count) of little-endian {@code floats}. */
  private void readScales(ByteBuffer floats, int first, int count) {
    if (scales.length < count) {
      scales = new float[count];
    }
    for (int i = 0; i < count; i++) {
      scales[i] = floats.getFloat((first + i) * 4);
    }
  }
}
