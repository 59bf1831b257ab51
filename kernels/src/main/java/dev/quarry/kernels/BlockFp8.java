package dev.quarry.kernels;

/**
 * Block-scaled FP8 weights (DeepSeek-V3 style: {@code float8_e4m3fn} codes and one float32
 * {@code weight_scale_inv} per block of 128 × 128 elements) dequantized to bfloat16 as transformers'
 * {@code Fp8Dequantize} and DeepSeek's {@code weight_dequant} compute it: the e4m3 value widened to
 * float32, times its block's scale in float32, rounded to nearest even into bfloat16.
 */
public final class BlockFp8 {
  /** The float32 value of each of the 256 e4m3fn codes. */
  private static final float[] VALUES = new float[256];

  static {
    for (int code = 0; code < 256; code++) {
      VALUES[code] = e4m3(code);
    }
  }

  private BlockFp8() {}

  /**
   * The value of an e4m3fn code (sign, 4 exponent bits of bias 7, 3 mantissa bits; no infinities,
   * exponent and mantissa all ones is NaN, exponent 0 is subnormal).
   */
  static float e4m3(int code) {
    int exponent = (code >>> 3) & 0xf;
    int mantissa = code & 0x7;
    float magnitude = exponent == 0xf && mantissa == 0x7 ? Float.NaN
        : exponent == 0 ? Math.scalb((float) mantissa, -9)
        : Math.scalb((float) (8 + mantissa), exponent - 10);
    return (code & 0x80) != 0 ? -magnitude : magnitude;
  }

  /** The float32 value of an e4m3fn code. */
  public static float toFloat(byte code) {
    return VALUES[code & 0xff];
  }

  /** The bfloat16 bits of one weight: {@code bf16(float32(e4m3(code)) * scale)}. */
  public static short dequantize(byte code, float scale) {
    return Float16.bfloat16FromFloat(VALUES[code & 0xff] * scale);
  }

  /**
   * Dequantizes {@code count} consecutive codes of one row, starting at column {@code firstCol}, into
   * little-endian bfloat16 at {@code out[outPos..]}.
   *
   * @param rowScales the scales of the row's blocks, one per {@code blockCols} columns
   */
  public static void dequantizeRow(byte[] codes, int codePos, int count, long firstCol, float[] rowScales,
      int blockCols, byte[] out, int outPos) {
    for (int k = 0; k < count; k++) {
      short bits = dequantize(codes[codePos + k], rowScales[(int) ((firstCol + k) / blockCols)]);
      out[outPos + 2 * k] = (byte) bits;
      out[outPos + 2 * k + 1] = (byte) (bits >>> 8);
    }
  }
}
