package dev.quarry.convert.plan;

import java.io.Serializable;
import java.util.List;

/** One output shard to assemble: its final file name and its tensors (any order; the layout sorts them). */
public record ShardTask(String fileName, List<OutputTensorPlan> tensors) implements Serializable {
  private static final long serialVersionUID = 1L;

  public ShardTask {
    tensors = List.copyOf(tensors);
  }
}
