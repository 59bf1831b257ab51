package dev.quarry.convert.read;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.torch.TorchCheckpoint;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
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
 * any work starts. Never reads tensor data, but for the scales of block-FP8 weights ({@link Fp8Source}:
 * 1/16384 of the weights). A model without safetensors is read from its PyTorch
 * checkpoint ({@code pytorch_model.bin}, or shards and {@code pytorch_model.bin.index.json}), whose
 * pickles play the part of headers ({@link TorchCheckpoint}); transformers prefers safetensors too.
 */
public final class ModelReader {
  public static final String CONFIG = "config.json";
  public static final String INDEX = "model.safetensors.index.json";
  public static final String SINGLE = "model.safetensors";
  public static final String TORCH_INDEX = "pytorch_model.bin.index.json";
  public static final String TORCH_SINGLE = "pytorch_model.bin";
  /** Weights in other formats are not copied into a safetensors output. */
  private static final List<String> OTHER_WEIGHT_SUFFIXES =
      List.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf");

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
      return Fp8Source.attach(fs, config, new InputModel(fs.exists(config) ? JsonObjectFile.read(fs, config) : null,
          List.of(shard(fs, input)), List.of(), Map.of()));
    }
    Map<String, Object> config = JsonObjectFile.read(fs, requireFile(fs, new Path(input, CONFIG)));
    Path index = new Path(input, INDEX);
    Path single = new Path(input, SINGLE);
    Path torchIndex = new Path(input, TORCH_INDEX);
    Path torchSingle = new Path(input, TORCH_SINGLE);
    List<InputShard> shards;
    if (fs.exists(index)) {
      shards = indexedShards(fs, input, index, ".safetensors");
    } else if (!fs.exists(single) && fs.exists(torchIndex)) {
      shards = indexedShards(fs, input, torchIndex, ".bin");
    } else if (!fs.exists(single) && fs.exists(torchSingle)) {
      shards = List.of(shard(fs, torchSingle));
    } else {
      shards = List.of(shard(fs, requireFile(fs, single))); // no weights at all: the error names model.safetensors
    }
    List<Path> others = new ArrayList<>();
    for (FileStatus f : fs.listStatus(input)) {
      String name = f.getPath().getName();
      if (f.isFile() && !name.equals(CONFIG) && !name.equals(INDEX) && !name.equals(TORCH_INDEX) && !name.startsWith(".")
          && !name.startsWith("_") && OTHER_WEIGHT_SUFFIXES.stream().noneMatch(name.toLowerCase(Locale.ROOT)::endsWith)) {
        others.add(f.getPath());
      }
    }
    others.sort(null);
    return Fp8Source.attach(fs, new Path(input, CONFIG), new InputModel(config, shards, others, Map.of()));
  }

  private static List<InputShard> indexedShards(FileSystem fs, Path dir, Path index, String suffix) throws IOException {
    ShardIndex shardIndex = ShardIndex.of(index.toString(), JsonObjectFile.read(fs, index), suffix);
    List<InputShard> shards = new ArrayList<>();
    Map<String, String> fileOfTensor = new HashMap<>();
    for (String file : shardIndex.files()) {
      InputShard shard = shard(fs, requireFile(fs, new Path(dir, file)));
      for (TensorEntry t : shard.tensors()) {
        String other = fileOfTensor.put(t.name(), file);
        if (other != null) {
          throw new CheckpointException(shard.path(), t.name(), "tensor also in " + other + " (a tensor in two shards)");
        }
      }
      shards.add(shard);
    }
    for (InputShard shard : shards) {
      String file = new Path(shard.path()).getName();
      Set<String> listed = new LinkedHashSet<>(shardIndex.tensors(file));
      for (TensorEntry t : shard.tensors()) {
        if (!listed.remove(t.name())) {
          throw new CheckpointException(shard.path(), t.name(), "tensor not listed for this file in " + index.getName());
        }
      }
      if (!listed.isEmpty()) {
        throw new CheckpointException(shard.path(), listed.iterator().next(),
            index.getName() + " lists the tensor in this file but the file does not hold it");
      }
    }
    return shards;
  }

  /** A file named {@code .bin}, {@code .pt} or {@code .pth} is a PyTorch checkpoint, any other a safetensors file. */
  private static InputShard shard(FileSystem fs, Path path) throws IOException {
    if (TorchCheckpoint.isTorchFile(path.getName())) {
      TorchCheckpoint c = TorchCheckpoint.read(fs, path);
      return new InputShard(fs.makeQualified(path).toString(), c.dataStart(), c.tensors());
    }
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
}
