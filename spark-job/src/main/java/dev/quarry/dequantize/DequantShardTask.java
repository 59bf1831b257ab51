package dev.quarry.dequantize;

import java.io.Serializable;
import java.util.List;

/** One shard of the dequantized checkpoint: its file name and tensors. */
public record DequantShardTask(String fileName, List<DequantTensor> tensors) implements Serializable {
  private static final long serialVersionUID = 1L;

  public DequantShardTask {
    tensors = List.copyOf(tensors);
  }
}
