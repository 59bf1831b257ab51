package dev.quarry.safetensors;

import java.io.IOException;

/**
 * An input checkpoint that quarry cannot process, with the file and (when there is one) the tensor
 * at fault. The message reads {@code <file>: tensor '<name>': <problem>}, the form the CLI prints.
 */
public class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String tensor;
  private final String problem;

  public CheckpointException(String file, String tensor, String problem) {
    this(file, tensor, problem, null);
  }

  public CheckpointException(String file, String tensor, String problem, Throwable cause) {
    super(file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem, cause);
    this.file = file;
    this.tensor = tensor;
    this.problem = problem;
  }

  public String file() {
    return file;
  }

  /** The tensor at fault, or null when the problem is with the file as a whole. */
  public String tensor() {
    return tensor;
  }

  public String problem() {
    return problem;
  }
}
