package dev.quarry.kernels.vector;

import dev.quarry.kernels.Blocksize;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.GpuMath;
import dev.quarry.kernels.GroupSquares;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import java.util.EnumMap;
import java.util.Map;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;

/**
 * The Vector API kernels (256-bit vectors). Byte-identical to the scalar reference: the vector
 * paths cover the common blocks of 4-bit quantization of bfloat16 and float16 input, int8 rows
 * and the float16 cast of bfloat16 input, double quantization of the absmax, and the error
 * measurement of every element type; every
 * other block, row, group or element type (float32 input) goes to {@link Kernels#scalar()}.
 */
public final class VectorKernelSupport implements KernelSupport {
  /** The magnitude bits of +inf: at or above them a 16-bit value is not finite. */
  private static final int BF16_INF = 0x7f80;
  private static final int F16_INF = 0x7c00;
  private static final int BITS = ShortVector.SPECIES_256.vectorBitSize();

  private final KernelSupport scalar = Kernels.scalar();
  private final Map<FourBitFormat, Bf16FourBitQuantizer> bf16FourBit = new EnumMap<>(FourBitFormat.class);
  private final Map<FourBitFormat, HalfFourBitQuantizer> f16FourBit = new EnumMap<>(FourBitFormat.class);
  private final Bf16Int8Quantizer bf16Int8 = new Bf16Int8Quantizer(scalar);
  private final Bf16ToFloat16 bf16ToFloat16 = new Bf16ToFloat16(scalar);
  private final NestedAbsmaxCoder nestedAbsmax = new NestedAbsmaxCoder();

  /** {@code permuteSearch}: NF4 of bfloat16 picks its cuts by a lane permute ({@link LanePermute}), else by blends. */
  VectorKernelSupport(boolean permuteSearch) {
    for (FourBitFormat format : FourBitFormat.values()) {
      bf16FourBit.put(format, new Bf16FourBitQuantizer(format, permuteSearch, scalar));
      f16FourBit.put(format, new HalfFourBitQuantizer(format, scalar));
    }
  }

  /**
   * The vector kernels, or an {@link UnsupportedOperationException} naming why they would be slow
   * here (the platform's preferred vectors are narrower than the 256 bits these kernels use).
   */
  public static KernelSupport create(boolean evenIfSlow) {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    if (preferred < BITS && !evenIfSlow) {
      throw new UnsupportedOperationException("the CPU's preferred vector size is " + preferred
          + " bits; the vector kernels need " + BITS);
    }
    return new VectorKernelSupport(LanePermute.FAST);
  }

  @Override
  public String name() {
    return "vector-" + BITS;
  }

  @Override
  public void quantize4Bit(FourBitFormat format, ElementType type, short[] x, int xOff, int n, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff) {
    Blocksize.check(blocksize);
    if (type == ElementType.BF16) {
      bf16FourBit.get(format).quantize(x, xOff, n, blocksize, packed, packedOff, absmax, absmaxOff);
    } else {
      f16FourBit.get(format).quantize(x, xOff, n, blocksize, packed, packedOff, absmax, absmaxOff);
    }
  }

  @Override
  public void quantize4Bit(FourBitFormat format, float[] x, int xOff, int n, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff) {
    scalar.quantize4Bit(format, x, xOff, n, blocksize, packed, packedOff, absmax, absmaxOff);
  }

  @Override
  public boolean absmax4Bit(ElementType type, short[] x, int xOff, int n, int blocksize, float[] absmax, int absmaxOff) {
    Blocksize.check(blocksize);
    int nonFiniteBits = type == ElementType.BF16 ? BF16_INF : F16_INF;
    boolean nonFinite = false;
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      int length = Math.min(blocksize, n - start);
      int magnitude = MaxMagnitude.of(x, xOff + start, length);
      if (magnitude >= nonFiniteBits) {
        // inf, or NaN (which the GPU's fmaxf skips): the reference's rules, block by block
        scalar.absmax4Bit(type, x, xOff + start, length, blocksize, absmax, absmaxOff + b);
        nonFinite = true;
      } else {
        // |x| orders as its bits without the sign, and FTZ keeps that order: FTZ(max |x|) = max |FTZ(x)|
        absmax[absmaxOff + b] = GpuMath.ftz(Float16.widen(type, (short) magnitude));
      }
    }
    return nonFinite;
  }

  @Override
  public boolean absmax4Bit(float[] x, int xOff, int n, int blocksize, float[] absmax, int absmaxOff) {
    return scalar.absmax4Bit(x, xOff, n, blocksize, absmax, absmaxOff);
  }

  @Override
  public void quantizeInt8Rows(ElementType type, short[] x, int xOff, int rows, int cols,
      byte[] q, int qOff, float[] scb, int scbOff) {
    if (type == ElementType.BF16) {
      bf16Int8.quantize(x, xOff, rows, cols, q, qOff, scb, scbOff);
    } else {
      scalar.quantizeInt8Rows(type, x, xOff, rows, cols, q, qOff, scb, scbOff);
    }
  }

  @Override
  public void quantizeInt8Rows(float[] x, int xOff, int rows, int cols, byte[] q, int qOff, float[] scb, int scbOff) {
    scalar.quantizeInt8Rows(x, xOff, rows, cols, q, qOff, scb, scbOff);
  }

  @Override
  public void castToFloat16(ElementType type, short[] x, int xOff, int n, short[] out, int outOff) {
    if (type == ElementType.BF16) {
      bf16ToFloat16.cast(x, xOff, n, out, outOff);
    } else {
      scalar.castToFloat16(type, x, xOff, n, out, outOff);
    }
  }

  @Override
  public void castToFloat16(float[] x, int xOff, int n, short[] out, int outOff) {
    scalar.castToFloat16(x, xOff, n, out, outOff);
  }

  @Override
  public void quantizeNestedAbsmax(float[] absmax, int off, int n, float offset, byte[] codes, int codesOff,
      float[] nestedAbsmax, int nestedOff) {
    this.nestedAbsmax.quantize(absmax, off, n, offset, codes, codesOff, nestedAbsmax, nestedOff);
  }

  @Override
  public void fourBitError(FourBitFormat format, ElementType type, byte[] x, int xOff, int n, int blocksize,
      int group, byte[] packed, int packedOff, float[] absmax, int absmaxOff, GroupSquares out) {
    Blocksize.check(blocksize);
    SplitCompare.measure(type, x, xOff, n, group, (first, length, values) -> SplitValues.fourBit(format, length,
        blocksize, packed, packedOff + first / 2, absmax, absmaxOff + first / blocksize, values), out);
  }

  @Override
  public void int8RowsError(ElementType type, byte[] x, int xOff, int rows, int cols, byte[] q, int qOff,
      float[] scb, int scbOff, GroupSquares out) {
    SplitCompare.measure(type, x, xOff, rows * cols, cols, (first, length, values) -> SplitValues.int8Rows(
        length / cols, cols, q, qOff + first, scb, scbOff + first / cols, values), out);
  }

  @Override
  public void castError(ElementType type, byte[] x, int xOff, int n, byte[] f16, int f16Off, int group,
      GroupSquares out) {
    SplitCompare.measure(type, x, xOff, n, group, (first, length, values) -> SplitValues.elements(ElementType.F16, f16,
        f16Off + first * 2, length, group, values, 0), out);
  }
}
