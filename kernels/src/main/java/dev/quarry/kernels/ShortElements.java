package dev.quarry.kernels;

/**
 * Tensor elements of any {@link ElementType} held as the little-endian 16-bit words they are read
 * as: one word per bfloat16 or float16 element, two per float32 element (low word first). The
 * error kernels take their input this way, so one signature serves the three types.
 */
public final class ShortElements {
  private ShortElements() {
  }

  /** The float32 value of element i of words starting at {@code off}. */
  public static float value(ElementType type, short[] words, int off, int i) {
    if (type == ElementType.F32) {
      return Float.intBitsToFloat((words[off + 2 * i] & 0xffff) | (words[off + 2 * i + 1] << 16));
    }
    return Float16.widen(type, words[off + i]);
  }
}
