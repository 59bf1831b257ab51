package dev.quarry.safetensors;

/** A file that is not a valid safetensors file: bad header, bad tensor entry, truncated data. */
public final class CheckpointFormatException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public CheckpointFormatException(String file, String tensor, String problem) {
    super(file, tensor, problem);
  }

  public CheckpointFormatException(String file, String tensor, String problem, Throwable cause) {
    super(file, tensor, problem, cause);
  }
}
