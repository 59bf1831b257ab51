package dev.quarry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiny Llama-named float32 models written for a test: one Linear weight and one norm per layer,
 * values from a simple formula, a config.json, optionally split over several shards with an index.
 */
public final class SmallModels {
  public static final String CONFIG = "{\"model_type\": \"llama\", \"torch_dtype\": \"float32\"}";

  private SmallModels() {}

  /** The weight of layer {@code i}: [4, 64] float32. */
  public static String weight(int layer) {
    return "model.layers." + layer + ".mlp.up_proj.weight";
  }

  public static String norm(int layer) {
    return "model.layers." + layer + ".post_attention_layernorm.weight";
  }

  /** Layer {@code i}'s two tensors, the weight holding {@code special} at element 5 (finite values otherwise). */
  public static List<TestCheckpoints.Tensor> layer(int i, float special) {
    float[] w = new float[4 * 64];
    for (int k = 0; k < w.length; k++) {
      w[k] = (float) Math.sin(k * 0.37 + i) * (1 + i);
    }
    w[5] = special;
    float[] n = new float[64];
    java.util.Arrays.fill(n, 1f);
    return List.of(new TestCheckpoints.Tensor(new TensorSpec(weight(i), Dtype.F32, List.of(4L, 64L)), floats(w)),
        new TestCheckpoints.Tensor(new TensorSpec(norm(i), Dtype.F32, List.of(64L)), floats(n)));
  }

  public static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** A single-file model in {@code dir}: config.json and model.safetensors with {@code layers} layers. */
  public static Path singleFile(Path dir, int layers) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), CONFIG);
    List<TestCheckpoints.Tensor> tensors = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      tensors.addAll(layer(i, 0.5f));
    }
    TestCheckpoints.write(dir.resolve("model.safetensors"), tensors);
    return dir;
  }

  /** A model in {@code dir} of one shard per layer (model-0000i-of-0000n.safetensors) and its index. */
  public static Path sharded(Path dir, int layers) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), CONFIG);
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (int i = 0; i < layers; i++) {
      String shard = String.format("model-%05d-of-%05d.safetensors", i + 1, layers);
      TestCheckpoints.write(dir.resolve(shard), layer(i, 0.5f));
      weightMap.put(weight(i), shard);
      weightMap.put(norm(i), shard);
    }
    writeIndex(dir, weightMap);
    return dir;
  }

  public static void writeIndex(Path dir, Map<String, String> weightMap) throws IOException {
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", Map.of("total_size", 0));
    index.put("weight_map", weightMap);
    Files.writeString(dir.resolve("model.safetensors.index.json"), new ObjectMapper().writeValueAsString(index));
  }
}
