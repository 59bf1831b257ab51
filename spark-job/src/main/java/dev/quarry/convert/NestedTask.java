package dev.quarry.convert;

import java.io.Serializable;

/**
 * The second pass of double quantization for one block: its float32 absmax (the secondary section
 * of its staging file, {@code count} values, whole nested blocks of 256 except at the tensor's end)
 * and the offset of its tensor, the exactly rounded mean over the whole tensor.
 */
public record NestedTask(int blockId, String absmaxFile, long absmaxPosition, int count, float offset)
    implements Serializable {
  private static final long serialVersionUID = 1L;
}
