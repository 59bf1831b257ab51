package dev.quarry.quantize;

import dev.quarry.safetensors.CheckpointException;

/**
 * A NaN or ±inf in a tensor to be quantized: an input error unless the user allows such values
 * ({@code --allow-non-finite}), in which case the tensor is kept unquantized.
 */
public final class NonFiniteValueException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public NonFiniteValueException(String file, String tensor, String problem) {
    super(file, tensor, problem);
  }
}
