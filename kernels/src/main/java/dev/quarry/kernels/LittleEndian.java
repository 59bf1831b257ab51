package dev.quarry.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian bytes, the order of safetensors data and of the kernels' buffers: bulk copies between
 * byte buffers and Java arrays through typed views (one bulk get/put each, never element by element),
 * advancing the byte buffer's position; buffers and byte images of constant arrays in that order.
 */
public final class LittleEndian {
  private LittleEndian() {
  }

  /** A heap buffer of {@code bytes} in little-endian order. */
  public static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The little-endian bytes of {@code values} (a codebook, the dynamic map). */
  public static byte[] floats(float[] values) {
    ByteBuffer b = allocate((long) values.length * Float.BYTES);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  static void read(ByteBuffer src, short[] dst, int n) {
    src.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(dst, 0, n);
    src.position(src.position() + n * Short.BYTES);
  }

  static void read(ByteBuffer src, float[] dst, int n) {
    src.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, 0, n);
    src.position(src.position() + n * Float.BYTES);
  }

  static void write(ByteBuffer dst, short[] src, int n) {
    dst.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(src, 0, n);
    dst.position(dst.position() + n * Short.BYTES);
  }

  static void write(ByteBuffer dst, float[] src, int n) {
    dst.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(src, 0, n);
    dst.position(dst.position() + n * Float.BYTES);
  }
}
