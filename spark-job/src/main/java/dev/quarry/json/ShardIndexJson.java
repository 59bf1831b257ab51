package dev.quarry.json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@code model.safetensors.index.json} as transformers writes it for sharded weights. */
public final class ShardIndexJson {
  private ShardIndexJson() {}

  /** @param weightMap tensor name → shard file name */
  public static Map<String, Object> of(Map<String, String> weightMap, long totalSize) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("total_size", totalSize);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", metadata);
    index.put("weight_map", new TreeMap<>(weightMap));
    return index;
  }
}
