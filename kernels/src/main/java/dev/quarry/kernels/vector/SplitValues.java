package dev.quarry.kernels.vector;

import dev.quarry.kernels.Dequantizer;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.ElementBytes;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dequantized values of the error kernels' groups, written in the split layout that
 * {@link SplitCompare} reads: within a group, each full run of 16 elements holds the values of its
 * 8 even elements, then of its 8 odd ones (as the codes come: a 4-bit byte holds an even and an odd
 * code); the elements after the last full run keep their own places. The values are those of
 * {@link Dequantizer} (the same float32 operations), except that a NaN is any NaN.
 */
final class SplitValues {
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final int RUN = 16;

  private SplitValues() {}

  /**
   * 4-bit codes: a block's 16 values are the codebook times its absmax, looked up by rearranges.
   * Written block by block: blocks are multiples of 16 elements, so a block's runs are its group's.
   */
  static void fourBit(FourBitFormat format, int n, int blocksize, byte[] packed, int packedOff, float[] absmax,
      int absmaxOff, float[] out) {
    float[] codebook = Dequantizer.fourBitCodebook(format);
    for (int start = 0, block = absmaxOff; start < n; start += blocksize, block++) {
      float scale = absmax[block];
      IntVector low = FloatVector.fromArray(F, codebook, 0).mul(scale).reinterpretAsInts();
      IntVector high = FloatVector.fromArray(F, codebook, F.length()).mul(scale).reinterpretAsInts();
      int length = Math.min(blocksize, n - start);
      int full = length - length % RUN;
      for (int i = 0; i < full; i += RUN) {
        IntVector bytes = (IntVector) ByteVector.fromArray(ByteVector.SPECIES_64, packed, packedOff + (start + i) / 2)
            .convertShape(VectorOperators.B2I, I, 0);
        lookUp(low, high, bytes.lanewise(VectorOperators.LSHR, 4).and(0xf)).intoArray(out, start + i);
        lookUp(low, high, bytes.and(0xf)).intoArray(out, start + i + RUN / 2);
      }
      for (int i = start + full; i < start + length; i++) {
        int b = packed[packedOff + i / 2];
        out[i] = Dequantizer.fourBitValue(format, (i & 1) == 0 ? (b >>> 4) & 0xf : b & 0xf, scale);
      }
    }
  }

  /**
   * Codes 0..7 index {@code low}, 8..15 {@code high}: two in-range rearranges and a blend. (The
   * two-vector rearrange with out-of-range indexes gives wrong lanes once C2 compiles it on JDK 17.)
   */
  private static FloatVector lookUp(IntVector low, IntVector high, IntVector codes) {
    VectorShuffle<Integer> within = codes.and(7).toShuffle();
    return low.rearrange(within).blend(high.rearrange(within), codes.compare(VectorOperators.GE, 8)).reinterpretAsFloats();
  }

  /** int8 codes: (q * SCB) * (1/127) in float32; 16 codes read as 8 pairs of bytes. */
  static void int8Rows(int rows, int cols, byte[] q, int qOff, float[] scb, int scbOff, float[] out) {
    int full = cols - cols % RUN;
    for (int r = 0; r < rows; r++) {
      int start = r * cols;
      float scale = scb[scbOff + r];
      for (int i = 0; i < full; i += RUN) {
        ShortVector pairs16 = ByteVector.fromArray(ByteVector.SPECIES_128, q, qOff + start + i).reinterpretAsShorts();
        IntVector pairs = (IntVector) pairs16.convertShape(VectorOperators.S2I, I, 0);
        int8Values(pairs.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24), scale)
            .intoArray(out, start + i);
        int8Values(pairs.lanewise(VectorOperators.ASHR, 8), scale).intoArray(out, start + i + RUN / 2);
      }
      for (int i = start + full; i < start + cols; i++) {
        out[i] = Dequantizer.int8Value(q[qOff + i], scale);
      }
    }
  }

  private static FloatVector int8Values(IntVector codes, float scale) {
    return ((FloatVector) codes.convert(VectorOperators.I2F, 0)).mul(scale).mul(Dequantizer.ONE_OVER_127);
  }

  /**
   * Elements of {@code type} ({@link ElementBytes} from byte {@code off} of {@code bytes}: input
   * elements, or the float16 output of a cast), widened to {@code out[outOff...]}. 16-bit floats in
   * vectors, 16 elements read as 8 pairs; float32 element by element (its pairs sit in 64-bit lanes,
   * which AVX2 cannot narrow cheaply), still far cheaper than the scalar error kernel.
   */
  static void elements(ElementType type, byte[] bytes, int off, int n, int group, float[] out, int outOff) {
    for (int start = 0; start < n; start += group) {
      int length = Math.min(group, n - start);
      int full = length - length % RUN;
      for (int i = start; i < start + full; i += RUN) {
        if (type == ElementType.F32) {
          for (int k = 0; k < RUN / 2; k++) {
            out[outOff + i + k] = ElementBytes.value(type, bytes, off, i + 2 * k);
            out[outOff + i + RUN / 2 + k] = ElementBytes.value(type, bytes, off, i + 2 * k + 1);
          }
        } else {
          IntVector pairs = ByteVector.fromArray(ByteVector.SPECIES_256, bytes, off + 2 * i).reinterpretAsInts();
          HalfPairs.even(type, pairs).intoArray(out, outOff + i);
          HalfPairs.odd(type, pairs).intoArray(out, outOff + i + RUN / 2);
        }
      }
      for (int i = start + full; i < start + length; i++) {
        out[outOff + i] = ElementBytes.value(type, bytes, off, i);
      }
    }
  }
}
