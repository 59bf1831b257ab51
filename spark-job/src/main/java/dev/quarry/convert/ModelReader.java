package dev.quarry.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a model on the driver through Hadoop {@link FileSystem}: config.json, the index or the
 * single file, and only the headers of the shards; validates that index and headers agree before
 * any work starts. Never reads tensor data.
 */
public final class ModelReader {
  public static final String CONFIG = "config.json";
  public static final String INDEX = "model.safetensors.index.json";
  public static final String SINGLE = "model.safetensors";
  /** Weights in other formats are not copied into a safetensors output. */
  private static final List<String> OTHER_WEIGHT_SUFFIXES =
      List.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelReader() {}

  public static InputModel read(FileSystem fs, Path input) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(input);
    } catch (FileNotFoundException e) {
      throw new CheckpointException(input.toString(), null, "no such file or directory", e);
    }
    if (!status.isDirectory()) {
      Path config = new Path(input.getParent(), CONFIG);
      return new InputModel(fs.exists(config) ? readJson(fs, config) : null,
          List.of(shard(fs, input)), List.of());
    }
    Map<String, Object> config = readJson(fs, requireFile(fs, new Path(input, CONFIG)));
    Path index = new Path(input, INDEX);
    List<InputShard> shards = fs.exists(index) ? indexedShards(fs, input, index)
        : List.of(shard(fs, requireFile(fs, new Path(input, SINGLE))));
    List<Path> others = new ArrayList<>();
    for (FileStatus f : fs.listStatus(input)) {
      String name = f.getPath().getName();
      if (f.isFile() && !name.equals(CONFIG) && !name.equals(INDEX) && !name.startsWith(".")
          && !name.startsWith("_") && OTHER_WEIGHT_SUFFIXES.stream().noneMatch(name.toLowerCase(Locale.ROOT)::endsWith)) {
        others.add(f.getPath());
      }
    }
    others.sort(null);
    return new InputModel(config, shards, others);
  }

  private static List<InputShard> indexedShards(FileSystem fs, Path dir, Path index) throws IOException {
    Map<String, Object> json = readJson(fs, index);
    if (!(json.get("weight_map") instanceof Map<?, ?> weightMap) || weightMap.isEmpty()) {
      throw new CheckpointException(index.toString(), null, "no weight_map object (or an empty one)");
    }
    Map<String, List<String>> tensorsByFile = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : weightMap.entrySet()) {
      if (!(e.getValue() instanceof String file) || file.contains("/")) {
        throw new CheckpointException(index.toString(), (String) e.getKey(), "weight_map value is not a file name");
      }
      tensorsByFile.computeIfAbsent(file, f -> new ArrayList<>()).add((String) e.getKey());
    }
    List<String> files = new ArrayList<>(tensorsByFile.keySet());
    files.sort(null);
    List<InputShard> shards = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (String file : files) {
      Path path = requireFile(fs, new Path(dir, file));
      InputShard shard = shard(fs, path);
      Set<String> listed = new LinkedHashSet<>(tensorsByFile.get(file));
      for (TensorEntry t : shard.tensors()) {
        String other = seen.put(t.name(), file);
        if (other != null) {
          throw new CheckpointException(path.toString(), t.name(), "tensor also in " + other);
        }
        if (!listed.remove(t.name())) {
          throw new CheckpointException(path.toString(), t.name(), "tensor not listed for this file in " + INDEX);
        }
      }
      if (!listed.isEmpty()) {
        throw new CheckpointException(path.toString(), listed.iterator().next(),
            INDEX + " lists the tensor in this file but the file does not hold it");
      }
      shards.add(shard);
    }
    return shards;
  }

  private static InputShard shard(FileSystem fs, Path path) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(fs, path)) {
      return new InputShard(fs.makeQualified(path).toString(), f.header().dataStart(), f.header().tensors());
    }
  }

  private static Path requireFile(FileSystem fs, Path path) throws IOException {
    if (!fs.isFile(path)) {
      throw new CheckpointException(path.toString(), null, "no such file");
    }
    return path;
  }

  static Map<String, Object> readJson(FileSystem fs, Path path) throws IOException {
    try (InputStream in = fs.open(path)) {
      return JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new CheckpointException(path.toString(), null, "not a JSON object: " + e.getOriginalMessage(), e);
    }
  }
}
