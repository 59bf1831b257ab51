package dev.quarry.convert.plan;

import java.util.List;

/** Every input tensor's plan (shard order, then data order) and the blocks of work, numbered from 0. */
public record ConversionPlan(List<TensorPlan> tensors, List<BlockTask> blocks) {
  public ConversionPlan {
    tensors = List.copyOf(tensors);
    blocks = List.copyOf(blocks);
  }

  public long blockBytes() {
    return blocks.stream().mapToLong(BlockTask::inputBytes).sum();
  }
}
