package dev.quarry.manifest;

import java.io.Serializable;
import java.util.List;

/** Some consecutive tensors of one safetensors file (URI string) to checksum on an executor. */
public record ChecksumTask(String file, List<TensorRange> tensors) implements Serializable {
  private static final long serialVersionUID = 1L;

  public ChecksumTask {
    tensors = List.copyOf(tensors);
  }
}
