package dev.quarry.quantize;

import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.safetensors.CheckpointException;

/** A tensor value the int8 modes cannot take: beyond the float16 range they cast to. */
public final class InvalidTensorValueException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public InvalidTensorValueException(String file, String tensor, String problem) {
    super(file, tensor, problem);
  }

  /** The int8 modes' float16 cast overflowed at element {@code chunkStart + e.elementIndex()}. */
  public static InvalidTensorValueException float16Overflow(String file, String tensor, long chunkStart,
      Float16OverflowException e) {
    return new InvalidTensorValueException(file, tensor, "value " + e.value() + " at element "
        + (chunkStart + e.elementIndex()) + " overflows float16 (the int8 modes cast to float16)");
  }
}
