package dev.quarry.safetensors;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * How {@code save_pretrained} (huggingface_hub's {@code split_state_dict_into_shards}) cuts a state
 * dict into shards: tensors in state_dict order; a tensor larger than the limit gets a shard of its
 * own, otherwise a new shard starts when the next tensor would pass the limit.
 */
public final class ShardSplitter {
  private ShardSplitter() {}

  public static <T> List<List<T>> split(List<T> stateDict, ToLongFunction<T> bytes,
      long maxShardBytes) {
    List<List<T>> shards = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long currentBytes = 0;
    for (T t : stateDict) {
      long size = bytes.applyAsLong(t);
      if (size > maxShardBytes) {
        shards.add(List.of(t));
        continue;
      }
      if (currentBytes + size > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(t);
      currentBytes += size;
    }
    if (!current.isEmpty()) {
      shards.add(current);
    }
    return shards;
  }

  /** The shard file names transformers uses: one file is {@code model.safetensors}. */
  public static String fileName(int index, int count) {
    return count == 1 ? "model.safetensors" : String.format("model-%05d-of-%05d.safetensors", index + 1, count);
  }
}
