package dev.quarry.kernels;

/**
 * Back to float32 values, as bitsandbytes and torch compute it: for checks, error statistics and
 * round trips. The GPU's 4-bit dequantization kernel then stores the value in the original dtype
 * (round to nearest even); callers round with {@link Float16} when they need that. A NaN result
 * (e.g. inf * 0) is CUDA's NaN bit pattern, as in the reference.
 */
public final class Dequantizer {
  /**
   * {@code int8_vectorwise_dequant} multiplies by this float32 constant (the float nearest 1/127)
   * instead of dividing by 127; the two differ in about 5 % of the values.
   */
  public static final float ONE_OVER_127 = (float) 7.874015718698502e-3;

  private static final float[] NF4_VALUES = FourBitFormat.NF4.codebook();
  /**
   * The GPU's FP4 dequantization ({@code dDequantizeFP4Tree}) multiplies a magnitude by a sign, so
   * code 8 gives -0.0 where the saved quant_map holds +0.0: the saved map is not what the kernel uses.
   */
  private static final float[] FP4_VALUES = signedMagnitudes(FourBitFormat.FP4);

  private Dequantizer() {
  }

  private static float[] signedMagnitudes(FourBitFormat format) {
    float[] values = new float[16];
    for (int code = 0; code < 16; code++) {
      float magnitude = format.value(code & 7);
      values[code] = (code & 8) != 0 ? -magnitude : magnitude;
    }
    return values;
  }

  /**
   * 4-bit values ({@code bnb-exact.md} §2): element i of a piece that starts at a block boundary is
   * {@code value(code_i) * absmax[i / blocksize]}, codes high nibble first.
   */
  public static void fourBit(FourBitFormat format, int blocksize, byte[] packed, int packedOff,
      float[] absmax, int absmaxOff, int n, float[] out, int outOff) {
    Blocksize.check(blocksize);
    float[] values = format == FourBitFormat.NF4 ? NF4_VALUES : FP4_VALUES;
    // block by block: one absmax per block, no division per element (this runs on every quantized
    // element when the error statistics are measured)
    for (int start = 0, block = absmaxOff; start < n; start += blocksize, block++) {
      float scale = absmax[block];
      for (int i = start, end = Math.min(n, start + blocksize); i < end; i++) {
        int b = packed[packedOff + (i >> 1)];
        int code = (i & 1) == 0 ? (b >>> 4) & 0xf : b & 0xf;
        out[outOff + i] = scaled(values, code, scale);
      }
    }
  }

  /**
   * The 4-bit value of {@code code} in a block whose absmax is {@code absmax}, as {@link #fourBit}
   * gives it: for callers that dequantize a block's 16 codes once and then look them up.
   */
  public static float fourBitValue(FourBitFormat format, int code, float absmax) {
    return scaled(format == FourBitFormat.NF4 ? NF4_VALUES : FP4_VALUES, code, absmax);
  }

  /**
   * The 16 values {@link #fourBitValue} multiplies by the absmax, by code (a copy): for vector
   * kernels that scale all 16 at once; a NaN product is then not CUDA's pattern, only a NaN.
   */
  public static float[] fourBitCodebook(FourBitFormat format) {
    return (format == FourBitFormat.NF4 ? NF4_VALUES : FP4_VALUES).clone();
  }

  private static float scaled(float[] values, int code, float scale) {
    return GpuMath.canonicalNaN(values[code] * scale);
  }

  /**
   * Double-quantized absmax ({@code bnb-exact.md} §3 step 4): {@code C[code_i] * nestedAbsmax[i / 256] + offset},
   * two float32 operations (torch runs them as separate kernels, so no fused multiply-add).
   */
  public static void nestedAbsmax(byte[] codes, int codesOff, int count, float[] nestedAbsmax, int nestedOff,
      float offset, float[] out, int outOff) {
    for (int i = 0; i < count; i++) {
      float scaled = DynamicMap.value(codes[codesOff + i] & 0xff) * nestedAbsmax[nestedOff + i / NestedAbsmaxQuantizer.NESTED_BLOCKSIZE];
      out[outOff + i] = GpuMath.canonicalNaN(scaled + offset);
    }
  }

  /** int8 rows ({@code bnb-exact.md} §4): {@code (q * SCB[row]) * ONE_OVER_127} in float32. */
  public static void int8Rows(byte[] q, int qOff, int rows, int cols, float[] scb, int scbOff, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        out[outOff + i] = int8Value(q[qOff + i], scb[scbOff + r]);
      }
    }
  }

  /** The value of int8 code {@code q} in a row whose SCB is {@code scb}, as {@link #int8Rows} gives it. */
  public static float int8Value(byte q, float scb) {
    return GpuMath.canonicalNaN(q * scb * ONE_OVER_127);
  }
}
