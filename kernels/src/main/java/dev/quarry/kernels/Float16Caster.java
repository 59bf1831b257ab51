package dev.quarry.kernels;

import java.nio.ByteBuffer;

/** Casts consecutive pieces of one tensor to float16 (int8-training, §5); not thread-safe (owns scratch arrays). */
public final class Float16Caster {
  static final int CHUNK_ELEMENTS = 1 << 16;

  private final KernelSupport kernels;
  private final ElementType type;
  private final short[] sixteenBitChunk;
  private final float[] floatChunk;
  private final short[] f16Chunk = new short[CHUNK_ELEMENTS];

  public Float16Caster(KernelSupport kernels, ElementType type) {
    this.kernels = kernels;
    this.type = type;
    this.sixteenBitChunk = type == ElementType.F32 ? null : new short[CHUNK_ELEMENTS];
    this.floatChunk = type == ElementType.F32 ? new float[CHUNK_ELEMENTS] : null;
  }

  /**
   * Reads n little-endian elements from src and writes n float16 little-endian values to f16Out,
   * advancing both.
   *
   * @throws Float16OverflowException with the element index relative to the start of this call
   */
  public void cast(ByteBuffer src, long n, ByteBuffer f16Out) {
    if (n < 0) {
      throw new IllegalArgumentException("negative element count " + n);
    }
    for (long done = 0; done < n; ) {
      int length = (int) Math.min(CHUNK_ELEMENTS, n - done);
      try {
        if (type == ElementType.F32) {
          LittleEndian.read(src, floatChunk, length);
          kernels.castToFloat16(floatChunk, 0, length, f16Chunk, 0);
        } else {
          LittleEndian.read(src, sixteenBitChunk, length);
          kernels.castToFloat16(type, sixteenBitChunk, 0, length, f16Chunk, 0);
        }
      } catch (Float16OverflowException e) {
        throw OverflowIndex.shift(e, done);
      }
      LittleEndian.write(f16Out, f16Chunk, length);
      done += length;
    }
  }
}
