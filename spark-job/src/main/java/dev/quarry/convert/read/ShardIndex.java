package dev.quarry.convert.read;

import dev.quarry.safetensors.CheckpointException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code weight_map} of a {@code model.safetensors.index.json} (or {@code pytorch_model.bin.index.json}):
 * which tensors each shard file holds. The file names come from the input, so each must be a plain
 * safetensors (or .bin) file name in the
 * model directory itself: no directory part, no {@code ..}, no scheme or drive (a URL or
 * {@code file:x} would otherwise resolve outside the model), nothing hidden, no control characters.
 */
public final class ShardIndex {
  private static final String SAFETENSORS = ".safetensors";

  private final Map<String, List<String>> tensorsByFile;

  private ShardIndex(Map<String, List<String>> tensorsByFile) {
    this.tensorsByFile = tensorsByFile;
  }

  /** Validates the parsed index JSON of {@code file} (for messages), an index of safetensors shards. */
  public static ShardIndex of(String file, Map<String, Object> json) throws CheckpointException {
    return of(file, json, SAFETENSORS);
  }

  /** Validates the parsed index JSON of {@code file}, whose shard files must end in {@code suffix} (".bin"). */
  public static ShardIndex of(String file, Map<String, Object> json, String suffix) throws CheckpointException {
    if (!(json.get("weight_map") instanceof Map<?, ?> weightMap) || weightMap.isEmpty()) {
      throw new CheckpointException(file, null, "no weight_map object (or an empty one)");
    }
    Map<String, List<String>> byFile = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : weightMap.entrySet()) {
      String tensor = (String) e.getKey();
      if (!(e.getValue() instanceof String shard)) {
        throw new CheckpointException(file, tensor, "weight_map value is not a string");
      }
      String problem = fileNameProblem(shard, suffix);
      if (problem != null) {
        throw new CheckpointException(file, tensor, "weight_map names '" + shard + "', " + problem);
      }
      byFile.computeIfAbsent(shard, f -> new ArrayList<>()).add(tensor);
    }
    return new ShardIndex(byFile);
  }

  /** Why {@code name} cannot be a shard file in the model directory, or null when it can. */
  static String fileNameProblem(String name, String suffix) {
    if (name.isEmpty()) {
      return "an empty file name";
    }
    if (name.contains("/") || name.contains("\\") || name.contains(":") || name.equals("..")) {
      return "a path outside the model directory (only a file name in it is allowed)";
    }
    if (name.startsWith(".")) {
      return "a hidden file";
    }
    if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "a file name with control characters";
    }
    if (!name.endsWith(suffix) || name.length() == suffix.length()) {
      return "not a " + suffix + " file";
    }
    return null;
  }

  /** The shard file names, sorted (transformers numbers them, so this is their order). */
  public List<String> files() {
    List<String> files = new ArrayList<>(tensorsByFile.keySet());
    files.sort(null);
    return files;
  }

  /** The tensors the index places in {@code file}, in index order. */
  public List<String> tensors(String file) {
    return List.copyOf(tensorsByFile.get(file));
  }
}
