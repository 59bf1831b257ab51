package dev.quarry.kernels;

import java.nio.ByteBuffer;

/**
 * Double quantization of a tensor's float32 absmax array ({@code bnb-exact.md} §3 steps 2–3): the
 * absmax minus the offset, in nested blocks of {@value #NESTED_BLOCKSIZE}, to uint8 codes of the
 * {@link DynamicMap} plus one float32 nested absmax per nested block. The arithmetic is
 * {@link KernelSupport#quantizeNestedAbsmax}; this class moves the bytes in bounded chunks.
 */
public final class NestedAbsmaxQuantizer {
  public static final int NESTED_BLOCKSIZE = 256;
  /** Absmax values per pass: whole nested blocks, bounded scratch. */
  static final int CHUNK = NESTED_BLOCKSIZE * 256;

  private NestedAbsmaxQuantizer() {
  }

  /**
   * count float32 LE absmax values in (count a multiple of 256 except at the tensor end) → count
   * uint8 codes and ceil(count/256) float32 LE nested absmax out; advances all buffers. Uses the
   * kernels {@link Kernels#get()} picked for this JVM.
   */
  public static void quantize(ByteBuffer absmax, int count, float offset, ByteBuffer codesOut, ByteBuffer nestedAbsmaxOut) {
    quantize(Kernels.get(), absmax, count, offset, codesOut, nestedAbsmaxOut);
  }

  /** {@link #quantize(ByteBuffer, int, float, ByteBuffer, ByteBuffer)} with the given kernels. */
  public static void quantize(KernelSupport kernels, ByteBuffer absmax, int count, float offset, ByteBuffer codesOut,
      ByteBuffer nestedAbsmaxOut) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count " + count);
    }
    int chunk = Math.min(count, CHUNK);
    float[] values = new float[chunk];
    byte[] codes = new byte[chunk];
    float[] nestedAbsmax = new float[(chunk + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE];
    for (int done = 0; done < count; ) {
      int length = Math.min(chunk, count - done);
      int blocks = (length + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE;
      LittleEndian.read(absmax, values, length);
      kernels.quantizeNestedAbsmax(values, 0, length, offset, codes, 0, nestedAbsmax, 0);
      codesOut.put(codes, 0, length);
      LittleEndian.write(nestedAbsmaxOut, nestedAbsmax, blocks);
      done += length;
    }
  }
}
