package dev.quarry.convert;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * A model read on the driver: its config.json (null when a lone .safetensors file has none), the
 * headers of its shards in index order, and the other files to copy unchanged (tokenizer,
 * generation config).
 */
public record InputModel(Map<String, Object> config, List<InputShard> shards, List<Path> otherFiles) {
  public InputModel {
    shards = List.copyOf(shards);
    otherFiles = List.copyOf(otherFiles);
  }

  /** config.json's {@code model_type}, or null. */
  public String modelType() {
    return config != null && config.get("model_type") instanceof String s ? s : null;
  }

  /** Bytes of every shard file. */
  public long inputBytes() {
    long total = 0;
    for (InputShard s : shards) {
      total += s.dataStart();
      for (var t : s.tensors()) {
        total += t.byteSize();
      }
    }
    return total;
  }

  public int tensorCount() {
    return shards.stream().mapToInt(s -> s.tensors().size()).sum();
  }
}
