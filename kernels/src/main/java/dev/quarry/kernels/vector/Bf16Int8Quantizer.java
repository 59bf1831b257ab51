package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.GpuMath;
import dev.quarry.kernels.KernelSupport;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * LLM.int8 rows of bfloat16 input ({@code bnb-exact.md} §4). A bfloat16 in float16's normal range
 * converts to float16 exactly (8 significant bits fit in 11), so the cast only has to round values
 * below 2^-14 to the float16 subnormal grid of 2^-24. A row whose absmax is at least 2^-14 and
 * below the float16 overflow point takes the vector path; any other row (all-zero or tiny rows,
 * overflow, inf, NaN) goes to the scalar reference, which also raises the overflow error.
 */
final class Bf16Int8Quantizer {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int MIN_FAST_MAGNITUDE = 0x3880; // 2^-14, float16's MIN_NORMAL
  private static final int MAX_FAST_MAGNITUDE_EXCLUSIVE = 0x4780; // 65536: rounds to inf in float16
  private static final float FLOAT16_MIN_NORMAL = 0x1p-14f;
  /** Adding and subtracting it rounds |x| < 2^-14 to a multiple of 2^-24, ties to even. */
  private static final float SUBNORMAL_GRID_SHIFTER = 0.75f;
  /** Adding it rounds |x| < 2^22 to an integer, ties to even (rint), held in the low mantissa bits. */
  private static final float INTEGER_SHIFTER = 0x1.8p23f;

  private final KernelSupport fallback;

  Bf16Int8Quantizer(KernelSupport fallback) {
    this.fallback = fallback;
  }

  void quantize(short[] x, int xOff, int rows, int cols, byte[] q, int qOff, float[] scb, int scbOff) {
    short[] tail = new short[S.length()];
    byte[] tailCodes = new byte[S.length()];
    int vectorEnd = cols - cols % S.length();
    for (int r = 0; r < rows; r++) {
      int start = r * cols;
      int magnitude = MaxMagnitude.of(x, xOff + start, cols);
      if (magnitude < MIN_FAST_MAGNITUDE || magnitude >= MAX_FAST_MAGNITUDE_EXCLUSIVE) {
        scalarRow(x, xOff, start, cols, q, qOff, scb, scbOff + r);
        continue;
      }
      float absmax = Float.intBitsToFloat(magnitude << 16);
      scb[scbOff + r] = absmax;
      float scale = 127f * GpuMath.rcp(absmax);
      for (int i = 0; i < vectorEnd; i += S.length()) {
        encode(x, xOff + start + i, scale, q, qOff + start + i);
      }
      if (vectorEnd < cols) {
        // zero padding: the extra lanes are computed and dropped
        Arrays.fill(tail, (short) 0);
        System.arraycopy(x, xOff + start + vectorEnd, tail, 0, cols - vectorEnd);
        encode(tail, 0, scale, tailCodes, 0);
        System.arraycopy(tailCodes, 0, q, qOff + start + vectorEnd, cols - vectorEnd);
      }
    }
  }

  private void scalarRow(short[] x, int xOff, int start, int cols, byte[] q, int qOff, float[] scb, int scbAt) {
    try {
      fallback.quantizeInt8Rows(ElementType.BF16, x, xOff + start, 1, cols, q, qOff + start, scb, scbAt);
    } catch (Float16OverflowException e) {
      throw ShiftedOverflow.of(e, start);
    }
  }

  /** 16 elements: the even ones sit in the low halves of the 32-bit lanes, the odd ones in the high halves. */
  private static void encode(short[] x, int off, float scale, byte[] q, int qAt) {
    IntVector pairs = ShortVector.fromArray(S, x, off).reinterpretAsInts();
    IntVector even = codes(pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), scale);
    IntVector odd = codes(pairs.and(0xffff0000).reinterpretAsFloats(), scale);
    IntVector bytePairs = even.and(0xff).or(odd.lanewise(VectorOperators.LSHL, 8).and(0xff00));
    ShortVector shorts = (ShortVector) bytePairs.convertShape(VectorOperators.I2S, ShortVector.SPECIES_128, 0);
    ((ByteVector) shorts.reinterpretAsBytes()).intoArray(q, qAt);
  }

  /** Per lane, the int8 code in the low byte (higher bits are not meaningful). */
  private static IntVector codes(FloatVector x, float scale) {
    FloatVector onGrid = x.add(SUBNORMAL_GRID_SHIFTER).sub(SUBNORMAL_GRID_SHIFTER);
    FloatVector half = x.blend(onGrid, x.abs().compare(VectorOperators.LT, FLOAT16_MIN_NORMAL));
    FloatVector scaled = half.mul(scale);
    // after adding the shifter the integer sits in the low mantissa bits: its low byte is the code
    // (reading the bits avoids F2I, which JDK 17 does not compile to a vector instruction)
    return scaled.add(INTEGER_SHIFTER).reinterpretAsInts();
  }
}
