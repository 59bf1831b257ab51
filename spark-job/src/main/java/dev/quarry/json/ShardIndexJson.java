package dev.quarry.json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@code model.safetensors.index.json} as transformers writes it for sharded weights. */
public final class ShardIndexJson {
  private ShardIndexJson() {}

  /**
   * @param weightMap       tensor name → shard file name
   * @param totalParameters what transformers 5 writes as {@code total_parameters} ({@code model.num_parameters()})
   * @param totalSize       the bytes of all tensors
   */
  public static Map<String, Object> of(Map<String, String> weightMap, long totalParameters, long totalSize) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("total_parameters", totalParameters);
    metadata.put("total_size", totalSize);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", metadata);
    index.put("weight_map", new TreeMap<>(weightMap));
    return index;
  }
}
