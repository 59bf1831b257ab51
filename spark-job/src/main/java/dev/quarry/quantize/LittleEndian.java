package dev.quarry.quantize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian byte images of constant arrays (safetensors data is little-endian). */
public final class LittleEndian {
  private LittleEndian() {}

  public static byte[] floats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
