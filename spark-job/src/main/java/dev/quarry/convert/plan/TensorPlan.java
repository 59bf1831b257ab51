package dev.quarry.convert.plan;

import dev.quarry.convert.read.InputShard;
import dev.quarry.safetensors.TensorEntry;
import java.util.List;

/**
 * The driver's decision for one input tensor: its action, whether it is transposed first (Conv1D),
 * the shape it is quantized as, and its blocks {@code [firstBlock, firstBlock + blockCount)}.
 */
public record TensorPlan(int id, InputShard shard, TensorEntry tensor, TensorAction action, boolean transposed,
    List<Long> quantizedShape, int firstBlock, int blockCount) {
  public TensorPlan {
    quantizedShape = List.copyOf(quantizedShape);
  }
}
