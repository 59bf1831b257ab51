package dev.quarry.kernels;

import java.nio.ByteBuffer;

/**
 * Double quantization of a tensor's float32 absmax array ({@code bnb-exact.md} §3 steps 2–3): the
 * absmax minus the offset, in nested blocks of {@value #NESTED_BLOCKSIZE}, to uint8 codes of the
 * {@link DynamicMap} plus one float32 nested absmax per nested block.
 */
public final class NestedAbsmaxQuantizer {
  public static final int NESTED_BLOCKSIZE = 256;
  /** Absmax values per pass: whole nested blocks, bounded scratch. */
  static final int CHUNK = NESTED_BLOCKSIZE * 256;

  private NestedAbsmaxQuantizer() {
  }

  /**
   * count float32 LE absmax values in (count a multiple of 256 except at the tensor end) → count
   * uint8 codes and ceil(count/256) float32 LE nested absmax out; advances all buffers.
   */
  public static void quantize(ByteBuffer absmax, int count, float offset, ByteBuffer codesOut, ByteBuffer nestedAbsmaxOut) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count " + count);
    }
    int chunk = Math.min(count, CHUNK);
    float[] centered = new float[chunk];
    byte[] codes = new byte[chunk];
    float[] nestedAbsmax = new float[(chunk + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE];
    for (int done = 0; done < count; ) {
      int length = Math.min(chunk, count - done);
      LittleEndian.read(absmax, centered, length);
      int blocks = 0;
      for (int start = 0; start < length; start += NESTED_BLOCKSIZE, blocks++) {
        nestedAbsmax[blocks] = quantizeBlock(centered, start, Math.min(NESTED_BLOCKSIZE, length - start), offset, codes);
      }
      codesOut.put(codes, 0, length);
      LittleEndian.write(nestedAbsmaxOut, nestedAbsmax, blocks);
      done += length;
    }
  }

  /** Centers {@code values[off, off + length)} in place, writes their codes, returns the block's nested absmax. */
  private static float quantizeBlock(float[] values, int off, int length, float offset, byte[] codes) {
    for (int i = off; i < off + length; i++) {
      values[i] -= offset; // torch's IEEE float32 subtraction (no fast math there)
    }
    float nestedAbsmax = BlockAbsmax.of(values, off, length, NESTED_BLOCKSIZE);
    float inv = GpuMath.rcp(nestedAbsmax);
    for (int i = off; i < off + length; i++) {
      codes[i] = (byte) DynamicMap.code(GpuMath.ftz(GpuMath.ftz(values[i]) * inv));
    }
    return nestedAbsmax;
  }
}
