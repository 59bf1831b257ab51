package dev.quarry.convert.read;

import dev.quarry.safetensors.TensorEntry;
import java.util.ArrayList;
import java.util.Comparator;
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

  /**
   * Bytes of every shard file (the block-FP8 scales, not among the shards' tensors, included), each
   * byte once: in a PyTorch checkpoint several tensors can be views of one storage.
   */
  public long inputBytes() {
    long total = 0;
    for (InputShard s : shards) {
      total += s.dataStart();
      List<TensorEntry> byStart = new ArrayList<>(s.tensors());
      byStart.sort(Comparator.comparingLong(TensorEntry::begin));
      long covered = 0;
      for (TensorEntry t : byStart) {
        total += Math.max(0, t.end() - Math.max(t.begin(), covered));
        covered = Math.max(covered, t.end());
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
