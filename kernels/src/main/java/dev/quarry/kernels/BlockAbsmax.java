package dev.quarry.kernels;

/**
 * The absmax of one block as bitsandbytes' {@code kQuantizeBlockwise} reduces it (4-bit blocks and
 * the nested blocks of double quantization alike).
 */
public final class BlockAbsmax {
  private BlockAbsmax() {
  }

  /**
   * max |FTZ(x)| over {@code x[off, off + length)}. The kernel starts at -FLT_MAX and folds with
   * {@code fmaxf}, which skips NaN; a short last block is padded with zeros that take part. So NaN
   * never wins, and a full block of only NaN keeps -FLT_MAX.
   */
  public static float of(float[] x, int off, int length, int blocksize) {
    float absmax = length < blocksize ? 0f : -Float.MAX_VALUE;
    for (int i = 0; i < length; i++) {
      float magnitude = Math.abs(GpuMath.ftz(x[off + i]));
      if (magnitude > absmax) {
        absmax = magnitude;
      }
    }
    return absmax;
  }
}
