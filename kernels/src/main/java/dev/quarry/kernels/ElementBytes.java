package dev.quarry.kernels;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Tensor elements of any {@link ElementType} as the little-endian bytes they are read as: the
 * error kernels take their input (and a cast's float16 output) this way, straight from the chunk
 * just read, so one signature serves the three types and no copy to a typed array is needed.
 */
public final class ElementBytes {
  private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private ElementBytes() {
  }

  /** The float32 value of element i of the elements starting at byte {@code off}. */
  public static float value(ElementType type, byte[] bytes, int off, int i) {
    if (type == ElementType.F32) {
      return Float.intBitsToFloat((int) INTS.get(bytes, off + 4 * i));
    }
    return Float16.widen(type, (short) SHORTS.get(bytes, off + 2 * i));
  }
}
