package dev.quarry.convert;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * A model read on the driver: its config.json (null when a lone .safetensors file has none), the
 * headers of its shards in index order, the other files to copy unchanged (tokenizer,
 * generation config), and the scales of its block-FP8 weights by weight name (the scale tensors
 * themselves are not among the shards' tensors: a conversion consumes them).
 */
public record InputModel(Map<String, Object> config, List<InputShard> shards, List<Path> otherFiles,
    Map<String, Fp8Scales> fp8Scales) {
  public InputModel {
    shards = List.copyOf(shards);
    otherFiles = List.copyOf(otherFiles);
    fp8Scales = Map.copyOf(fp8Scales);
  }

  /** config.json's {@code model_type}, or null. */
  public String modelType() {
    return config != null && config.get("model_type") instanceof String s ? s : null;
  }

  /** Bytes of every shard file (the block-FP8 scales, not among the shards' tensors, included). */
  public long inputBytes() {
    long total = 0;
    for (InputShard s : shards) {
      total += s.dataStart();
      for (var t : s.tensors()) {
        total += t.byteSize();
      }
    }
    for (Fp8Scales s : fp8Scales.values()) {
      total += s.byteSize();
    }
    return total;
  }

  public int tensorCount() {
    return shards.stream().mapToInt(s -> s.tensors().size()).sum();
  }
}
