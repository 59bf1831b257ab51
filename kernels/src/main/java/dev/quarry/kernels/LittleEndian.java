package dev.quarry.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bulk copies between little-endian byte buffers and Java arrays through typed views (one bulk
 * get/put each, never element by element), advancing the byte buffer's position.
 */
final class LittleEndian {
  private LittleEndian() {
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
