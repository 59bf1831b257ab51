package dev.quarry.convert.read;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Block-FP8 checkpoints (DeepSeek-V3/R1, Kimi K2, Qwen3-FP8): {@code F8_E4M3} weights, each with a
 * float32 {@code <name>_scale_inv} of one scale per block, and config.json's
 * {@code quantization_config: {"quant_method": "fp8", "weight_block_size": [128, 128], ...}}. Each
 * weight is converted as the bfloat16 tensor transformers dequantizes it to, block by block on the
 * executors; the scale tensors are consumed. Everything is checked here, on the driver: the config,
 * a scale for every weight and a weight for every scale, each scale tensor's dtype, its shape (the
 * block grid, partial last blocks included) and its values (finite, not negative: read here, they
 * are tiny), so that bad input fails before any work.
 */
final class Fp8Source {
  static final String SCALE_SUFFIX = "_scale_inv";

  private Fp8Source() {}

  /** The model with its block-FP8 weights' scales attached and the scale tensors taken out of its shards. */
  static InputModel attach(FileSystem fs, Path configFile, InputModel model) throws IOException {
    Map<String, InputShard> shardOf = new HashMap<>();
    Map<String, TensorEntry> entries = new HashMap<>();
    for (InputShard shard : model.shards()) {
      for (TensorEntry t : shard.tensors()) {
        shardOf.put(t.name(), shard);
        entries.put(t.name(), t);
      }
    }
    int[] block = blockSize(configFile.toString(), model.config());
    if (block == null) {
      for (InputShard shard : model.shards()) {
        for (TensorEntry t : shard.tensors()) {
          if (t.dtype() == Dtype.F8_E4M3) {
            throw new CheckpointException(shard.path(), t.name(), "an F8_E4M3 tensor, but " + configFile.getName()
                + " has no quantization_config with quant_method \"fp8\" and weight_block_size: quarry reads "
                + "FP8 only as block-FP8 weights with their scales");
          }
        }
      }
      return model;
    }
    Map<String, Fp8Scales> scales = new HashMap<>();
    for (InputShard shard : model.shards()) {
      for (TensorEntry t : shard.tensors()) {
        if (t.dtype() == Dtype.F8_E4M3) {
          scales.put(t.name(), scales(fs, shard, t, shardOf, entries, block));
        } else if (weightOf(t.name()) != null) {
          String weight = weightOf(t.name());
          TensorEntry w = entries.get(weight);
          if (w == null || w.dtype() != Dtype.F8_E4M3) {
            throw new CheckpointException(shard.path(), t.name(), "a block-FP8 scale whose weight '" + weight + "' "
                + (w == null ? "is not in the model" : "is " + w.dtype() + ", not F8_E4M3"));
          }
        }
      }
    }
    List<InputShard> shards = new ArrayList<>();
    for (InputShard shard : model.shards()) {
      List<TensorEntry> kept = new ArrayList<>();
      for (TensorEntry t : shard.tensors()) {
        String weight = weightOf(t.name());
        if (weight == null || !scales.containsKey(weight)) {
          kept.add(t);
        }
      }
      shards.add(new InputShard(shard.path(), shard.dataStart(), kept));
    }
    return new InputModel(model.config(), shards, model.otherFiles(), scales);
  }

  /** The weight whose scales a tensor of this name would be, or null when the name is no scale's. */
  private static String weightOf(String name) {
    return name.endsWith(SCALE_SUFFIX) ? name.substring(0, name.length() - SCALE_SUFFIX.length()) : null;
  }

  /** {@code weight_block_size} of an fp8 quantization_config, or null when config.json has none. */
  private static int[] blockSize(String file, Map<String, Object> config) throws CheckpointException {
    if (config == null || !(config.get("quantization_config") instanceof Map<?, ?> q)
        || !"fp8".equals(q.get("quant_method"))) {
      return null;
    }
    Object fmt = q.get("fmt");
    if (fmt != null && !"e4m3".equals(fmt)) {
      throw new CheckpointException(file, null, "quantization_config.fmt is " + fmt + "; quarry reads block-FP8 "
          + "weights in e4m3 only");
    }
    if (q.get("weight_block_size") instanceof List<?> size && size.size() == 2
        && size.get(0) instanceof Integer rows && size.get(1) instanceof Integer cols && rows > 0 && cols > 0) {
      return new int[] {rows, cols};
    }
    throw new CheckpointException(file, null, "quantization_config.weight_block_size is " + q.get("weight_block_size")
        + "; a block-FP8 model needs two positive whole numbers, like [128, 128]");
  }

  private static Fp8Scales scales(FileSystem fs, InputShard shard, TensorEntry w, Map<String, InputShard> shardOf,
      Map<String, TensorEntry> entries, int[] block) throws IOException {
    String name = w.name() + SCALE_SUFFIX;
    if (w.rank() != 2) {
      throw new CheckpointException(shard.path(), w.name(), "an F8_E4M3 tensor of shape " + w.shape()
          + "; block-FP8 weights are 2-D");
    }
    TensorEntry s = entries.get(name);
    if (s == null) {
      throw new CheckpointException(shard.path(), w.name(), "an F8_E4M3 weight without its scales: the model has no "
          + "tensor '" + name + "'");
    }
    InputShard scaleShard = shardOf.get(name);
    long gridRows = (w.shape().get(0) + block[0] - 1) / block[0];
    long gridCols = (w.shape().get(1) + block[1] - 1) / block[1];
    if (s.dtype() != Dtype.F32) {
      throw new CheckpointException(scaleShard.path(), name, "dtype " + s.dtype() + "; block-FP8 scales are F32");
    }
    if (!s.shape().equals(List.of(gridRows, gridCols))) {
      throw new CheckpointException(scaleShard.path(), name, "shape " + s.shape() + "; the " + w.shape()
          + " weight in blocks of " + block[0] + " x " + block[1] + " needs [" + gridRows + ", " + gridCols + "]");
    }
    long offset = scaleShard.dataStart() + s.begin();
    checkValues(fs, scaleShard.path(), name, offset, Math.toIntExact(gridRows * gridCols), gridCols);
    return new Fp8Scales(name, scaleShard.path(), offset, block[0], block[1], gridRows, gridCols);
  }

  private static void checkValues(FileSystem fs, String file, String name, long offset, int count, long gridCols)
      throws IOException {
    byte[] bytes = new byte[count * Float.BYTES];
    try (FSDataInputStream in = fs.open(new Path(file))) {
      in.readFully(offset, bytes);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < count; k++) {
      float v = b.getFloat(k * Float.BYTES);
      if (!Float.isFinite(v) || v < 0) {
        throw new CheckpointException(file, name, "scale " + v + " of block [" + k / gridCols + ", " + k % gridCols
            + "]; block-FP8 scales must be finite and not negative");
      }
    }
  }
}
