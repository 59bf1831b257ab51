package dev.quarry.sample;

import dev.quarry.json.TransformersJsonFile;
import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.SafetensorsWriter;
import dev.quarry.safetensors.ShardSplitter;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a Llama-shaped bfloat16 checkpoint the way {@code save_pretrained} lays it out: config.json,
 * generation_config.json, shards {@code model-0000i-of-0000N.safetensors} (or one
 * {@code model.safetensors}) and {@code model.safetensors.index.json}. Shards are filled in
 * state_dict order and a new one starts when the next tensor would pass the shard size (the
 * {@code huggingface_hub} rule). Tensor data is generated and written in bounded pieces, so a
 * multi-GB sample needs only a small heap.
 */
public final class SampleCheckpoint {
  private static final int PIECE_BYTES = 1 << 20;

  private SampleCheckpoint() {}

  /** Writes the model into {@code dir} (created if needed) and returns the shard paths. */
  public static List<Path> write(FileSystem fs, Path dir, SampleModelConfig config) throws IOException {
    fs.mkdirs(dir);
    List<List<TensorSpec>> shards = ShardSplitter.split(config.stateDict(), TensorSpec::byteSize, config.maxShardBytes());
    List<Path> paths = new ArrayList<>();
    Map<String, String> weightMap = new TreeMap<>();
    long totalBytes = 0;
    long totalParameters = 0;
    for (int i = 0; i < shards.size(); i++) {
      String file = ShardSplitter.fileName(i, shards.size());
      Path path = new Path(dir, file);
      writeShard(fs, path, shards.get(i), config.seed());
      paths.add(path);
      for (TensorSpec t : shards.get(i)) {
        weightMap.put(t.name(), file);
        totalBytes += t.byteSize();
        totalParameters += TensorEntry.elementCount(t.shape());
      }
    }
    if (shards.size() > 1) {
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("total_parameters", totalParameters);
      metadata.put("total_size", totalBytes);
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("metadata", metadata);
      index.put("weight_map", weightMap);
      TransformersJsonFile.write(fs, new Path(dir, "model.safetensors.index.json"), index);
    }
    TransformersJsonFile.write(fs, new Path(dir, "config.json"), SampleConfigJson.config(config));
    TransformersJsonFile.write(fs, new Path(dir, "generation_config.json"), SampleConfigJson.generationConfig());
    return paths;
  }

  private static void writeShard(FileSystem fs, Path path, List<TensorSpec> tensors, long seed) throws IOException {
    SafetensorsLayout layout = SafetensorsLayout.of(tensors, SafetensorsLayout.PYTORCH_METADATA);
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    tensors.forEach(t -> specs.put(t.name(), t));
    ByteBuffer piece = ByteBuffer.allocate(PIECE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    try (SafetensorsWriter w = new SafetensorsWriter(fs.create(path, true), layout)) {
      for (TensorEntry t : layout.tensors()) {
        w.beginTensor(t.name());
        SampleValues values = new SampleValues(specs.get(t.name()), seed);
        for (long done = 0; done < t.byteSize(); ) {
          piece.clear();
          piece.limit((int) Math.min(PIECE_BYTES, t.byteSize() - done));
          values.fill(piece);
          piece.flip();
          done += piece.remaining();
          w.write(piece);
        }
      }
      w.finish();
    }
  }
}
