package dev.quarry.kernels;

import java.util.function.IntToDoubleFunction;

/**
 * The reference implementation of {@link KernelSupport}: plain loops that follow
 * {@code bnb-exact.md} line by line, including what the GPU formulas give for NaN and ±inf
 * inputs. The Vector API kernels must match it byte for byte.
 */
public final class ScalarKernelSupport implements KernelSupport {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void quantize4Bit(FourBitFormat format, ElementType type, short[] x, int xOff, int n, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff) {
    Blocksize.check(blocksize);
    float[] block = new float[Math.min(blocksize, n)];
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      int length = Math.min(blocksize, n - start);
      for (int i = 0; i < length; i++) {
        block[i] = Float16.widen(type, x[xOff + start + i]);
      }
      absmax[absmaxOff + b] = quantizeBlock(format, block, 0, length, blocksize, packed, packedOff + start / 2);
    }
  }

  @Override
  public void quantize4Bit(FourBitFormat format, float[] x, int xOff, int n, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff) {
    Blocksize.check(blocksize);
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      int length = Math.min(blocksize, n - start);
      absmax[absmaxOff + b] = quantizeBlock(format, x, xOff + start, length, blocksize, packed, packedOff + start / 2);
    }
  }

  @Override
  public boolean absmax4Bit(ElementType type, short[] x, int xOff, int n, int blocksize, float[] absmax, int absmaxOff) {
    Blocksize.check(blocksize);
    float[] block = new float[Math.min(blocksize, n)];
    boolean nonFinite = false;
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      int length = Math.min(blocksize, n - start);
      for (int i = 0; i < length; i++) {
        block[i] = Float16.widen(type, x[xOff + start + i]);
        nonFinite |= !Float.isFinite(block[i]);
      }
      absmax[absmaxOff + b] = BlockAbsmax.of(block, 0, length, blocksize);
    }
    return nonFinite;
  }

  @Override
  public boolean absmax4Bit(float[] x, int xOff, int n, int blocksize, float[] absmax, int absmaxOff) {
    Blocksize.check(blocksize);
    boolean nonFinite = false;
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      int length = Math.min(blocksize, n - start);
      absmax[absmaxOff + b] = BlockAbsmax.of(x, xOff + start, length, blocksize);
      for (int i = 0; i < length; i++) {
        nonFinite |= !Float.isFinite(x[xOff + start + i]);
      }
    }
    return nonFinite;
  }

  /**
   * One block of {@code bnb-exact.md} §2. Blocks start at even elements (blocksizes are even), so
   * the block's codes fill {@code ceil(length / 2)} whole bytes from {@code packedOff}.
   *
   * @return the block's absmax
   */
  private static float quantizeBlock(FourBitFormat format, float[] x, int off, int length, int blocksize,
      byte[] packed, int packedOff) {
    float absmax = BlockAbsmax.of(x, off, length, blocksize);
    float inv = GpuMath.rcp(absmax);
    for (int i = 0; i < length; i += 2) {
      int high = FourBitCoder.code(format, GpuMath.ftz(GpuMath.ftz(x[off + i]) * inv));
      // An odd count's last low nibble codes the 0.0 the kernel loads as padding, through the same
      // formula: the code of 0.0, except in an all-zero block, where 0 * inf = NaN codes 0.
      float second = i + 1 < length ? GpuMath.ftz(x[off + i + 1]) : 0f;
      int low = FourBitCoder.code(format, GpuMath.ftz(second * inv));
      packed[packedOff + i / 2] = (byte) ((high << 4) | low);
    }
    return absmax;
  }

  @Override
  public void quantizeInt8Rows(ElementType type, short[] x, int xOff, int rows, int cols,
      byte[] q, int qOff, float[] scb, int scbOff) {
    float[] row = new float[cols];
    float[] halves = new float[cols];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < cols; i++) {
        row[i] = Float16.widen(type, x[xOff + r * cols + i]);
      }
      scb[scbOff + r] = quantizeInt8Row(row, 0, cols, (long) r * cols, halves, q, qOff + r * cols);
    }
  }

  @Override
  public void quantizeInt8Rows(float[] x, int xOff, int rows, int cols,
      byte[] q, int qOff, float[] scb, int scbOff) {
    float[] halves = new float[cols];
    for (int r = 0; r < rows; r++) {
      scb[scbOff + r] = quantizeInt8Row(x, xOff + r * cols, cols, (long) r * cols, halves, q, qOff + r * cols);
    }
  }

  /**
   * One row of {@code bnb-exact.md} §4.
   *
   * @param firstIndex the index of the row's first element relative to the call, for overflow errors
   * @param halves scratch of at least {@code cols} floats
   * @return the row's absmax (SCB)
   */
  private static float quantizeInt8Row(float[] x, int off, int cols, long firstIndex, float[] halves,
      byte[] q, int qOff) {
    // kInt8VectorQuant keeps the row max in float16, starting at -FLT_MIN, which float16 rounds to
    // -0.0, and folds with fmaxf (NaN skipped, +0 above -0). So a zero row gives +0 and only an
    // all-NaN row keeps -0.0 (then scale = -inf and NaN * -inf = NaN quantizes to 0).
    float absmax = -0f;
    for (int i = 0; i < cols; i++) {
      halves[i] = Float16.toFloat(toFloat16Checked(x[off + i], firstIndex + i));
      float magnitude = Math.abs(halves[i]);
      if (!Float.isNaN(magnitude)) {
        absmax = Math.max(absmax, magnitude);
      }
    }
    float scale = GpuMath.fdividef127(absmax);
    for (int i = 0; i < cols; i++) {
      // Products of float16 values and scale are never float32 subnormal, so no FTZ is needed.
      // Java's (int) of NaN is 0 like CUDA's __float2int_rn: a zero row (0 * inf) quantizes to 0.
      q[qOff + i] = (byte) (int) Math.rint(halves[i] * scale);
    }
    return absmax;
  }

  @Override
  public void castToFloat16(ElementType type, short[] x, int xOff, int n, short[] out, int outOff) {
    if (type == ElementType.F16) {
      // Already float16: copied bit for bit, as torch's no-op cast keeps it (a round trip through
      // float would canonicalize NaN payloads).
      System.arraycopy(x, xOff, out, outOff, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      out[outOff + i] = toFloat16Checked(Float16.widen(type, x[xOff + i]), i);
    }
  }

  @Override
  public void castToFloat16(float[] x, int xOff, int n, short[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = toFloat16Checked(x[xOff + i], i);
    }
  }

  /** Float16 bits of {@code value}, rejecting a finite value that would round to ±inf. */
  private static short toFloat16Checked(float value, long index) {
    short half = Float16.fromFloat(value);
    if (Float16.isInfinite(half) && !Float.isInfinite(value)) {
      throw new Float16OverflowException(index, value);
    }
    return half;
  }

  @Override
  public void quantizeNestedAbsmax(float[] absmax, int off, int n, float offset, byte[] codes, int codesOff,
      float[] nestedAbsmax, int nestedOff) {
    int blocksize = NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
    float[] centered = new float[Math.min(n, blocksize)];
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      int length = Math.min(blocksize, n - start);
      for (int i = 0; i < length; i++) {
        centered[i] = absmax[off + start + i] - offset; // torch's IEEE float32 subtraction (no fast math there)
      }
      float blockAbsmax = BlockAbsmax.of(centered, 0, length, blocksize);
      float inv = GpuMath.rcp(blockAbsmax);
      for (int i = 0; i < length; i++) {
        codes[codesOff + start + i] = (byte) DynamicMap.code(GpuMath.ftz(GpuMath.ftz(centered[i]) * inv));
      }
      nestedAbsmax[nestedOff + b] = blockAbsmax;
    }
  }

  @Override
  public void fourBitError(FourBitFormat format, ElementType type, byte[] x, int xOff, int n, int blocksize,
      int group, byte[] packed, int packedOff, float[] absmax, int absmaxOff, GroupSquares out) {
    Blocksize.check(blocksize);
    measureError(type, x, xOff, n, group, out, i -> {
      int b = packed[packedOff + (i >> 1)];
      int code = (i & 1) == 0 ? (b >>> 4) & 0xf : b & 0xf;
      return Dequantizer.fourBitValue(format, code, absmax[absmaxOff + i / blocksize]);
    });
  }

  @Override
  public void int8RowsError(ElementType type, byte[] x, int xOff, int rows, int cols, byte[] q, int qOff,
      float[] scb, int scbOff, GroupSquares out) {
    measureError(type, x, xOff, rows * cols, cols, out, i -> Dequantizer.int8Value(q[qOff + i], scb[scbOff + i / cols]));
  }

  @Override
  public void castError(ElementType type, byte[] x, int xOff, int n, byte[] f16, int f16Off, int group,
      GroupSquares out) {
    measureError(type, x, xOff, n, group, out, i -> ElementBytes.value(ElementType.F16, f16, f16Off, i));
  }

  /** Element by element, in groups of {@code group}: {@code dequantized} gives element i's value. */
  private static void measureError(ElementType type, byte[] x, int xOff, int n, int group, GroupSquares out,
      IntToDoubleFunction dequantized) {
    LaneSquares lanes = new LaneSquares();
    out.start((n + group - 1) / group);
    for (int start = 0, g = 0; start < n; start += group, g++) {
      for (int i = start, end = Math.min(n, start + group); i < end; i++) {
        lanes.add(i - start, dequantized.applyAsDouble(i), ElementBytes.value(type, x, xOff, i));
      }
      lanes.endGroup(out, g);
    }
  }
}
