package dev.quarry.convert.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.TorchZips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's reading of a model: headers only, index and headers checked against each other. */
class ModelReaderTest {
  @TempDir
  Path dir;

  private InputModel read(Path p) throws IOException {
    return ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(p));
  }

  @Test
  void readsTheReferenceModelsHeadersAndOtherFiles() throws IOException {
    Path input = ReferenceData.file("tiny-llama/input/config.json").getParent();
    InputModel m = read(input);
    assertEquals(5, m.shards().size());
    assertEquals(21, m.tensorCount());
    assertEquals("llama", m.modelType());
    long files = 0;
    for (int i = 1; i <= 5; i++) {
      files += Files.size(ReferenceData.tinyLlamaShard(i));
    }
    assertEquals(files, m.inputBytes());
    assertEquals(List.of("generation_config.json"), m.otherFiles().stream().map(p -> p.getName()).toList());
  }

  /**
   * A PyTorch checkpoint's tensors can share a storage: a tied weight (the same bytes twice) and
   * overlapping views count once, so the rates and compression figures are of the real input.
   */
  @Test
  void inputBytesCountSharedStorageOnce() {
    List<TensorEntry> tensors = List.of(
        new TensorEntry("embed.weight", Dtype.BF16, List.of(8L, 4L), 0, 64),
        new TensorEntry("lm_head.weight", Dtype.BF16, List.of(8L, 4L), 0, 64),
        new TensorEntry("q.weight", Dtype.BF16, List.of(4L, 4L), 64, 96),
        new TensorEntry("qk.weight", Dtype.BF16, List.of(8L, 4L), 80, 144),
        new TensorEntry("norm.weight", Dtype.BF16, List.of(4L), 200, 208));
    InputModel m = new InputModel(null, List.of(new InputShard("f", 100, tensors)), List.of(), Map.of());
    assertEquals(100 + 144 + 8, m.inputBytes());
  }

  @Test
  void aLoneFileTakesTheConfigBesideIt() throws IOException {
    writeShard("model.safetensors", "a.weight");
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
    InputModel m = read(dir.resolve("model.safetensors"));
    assertEquals("gpt2", m.modelType());
    assertEquals(List.of(), m.otherFiles());
  }

  @Test
  void indexNamingATensorTheShardLacksIsAnError() throws IOException {
    writeModel(Map.of("a.weight", "model-00001-of-00001.safetensors", "b.weight", "model-00001-of-00001.safetensors"));
    writeShard("model-00001-of-00001.safetensors", "a.weight");
    CheckpointException e = assertThrows(CheckpointException.class, () -> read(dir));
    assertEquals("b.weight", e.tensor());
    assertEquals(LocalFiles.hadoopPath(dir.resolve("model-00001-of-00001.safetensors")).toString(), e.file());
  }

  @Test
  void shardHoldingATensorTheIndexDoesNotListIsAnError() throws IOException {
    writeModel(Map.of("a.weight", "model-00001-of-00001.safetensors"));
    writeShard("model-00001-of-00001.safetensors", "a.weight", "extra.weight");
    assertEquals("extra.weight", assertThrows(CheckpointException.class, () -> read(dir)).tensor());
  }

  @Test
  void missingConfigOrWeightsAreErrors() throws IOException {
    assertEquals(LocalFiles.hadoopPath(dir.resolve("config.json")).toString(),
        assertThrows(CheckpointException.class, () -> read(dir)).file());
    Files.writeString(dir.resolve("config.json"), "{}");
    assertEquals(LocalFiles.hadoopPath(dir.resolve("model.safetensors")).toString(),
        assertThrows(CheckpointException.class, () -> read(dir)).file());
    assertThrows(CheckpointException.class, () -> read(dir.resolve("nothing-here")));
  }

  /** Safetensors win over a PyTorch checkpoint beside them, as in transformers; neither is copied as an other file. */
  @Test
  void readsPyTorchCheckpointsOnlyWithoutSafetensors() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
    TorchZips.write(dir.resolve(ModelReader.TORCH_SINGLE), "archive", TorchZips.oneTensor("b.weight"));
    Files.writeString(dir.resolve(ModelReader.TORCH_INDEX), "{\"weight_map\": {\"b.weight\": \"pytorch_model.bin\"}}");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    InputModel torch = read(dir);
    assertEquals(List.of("b.weight"), torch.shards().get(0).tensors().stream().map(t -> t.name()).toList());
    assertEquals(List.of("tokenizer.json"), torch.otherFiles().stream().map(p -> p.getName()).toList());
    Files.delete(dir.resolve(ModelReader.TORCH_INDEX));
    assertEquals(List.of("b.weight"), read(dir).shards().get(0).tensors().stream().map(t -> t.name()).toList());
    writeShard("model.safetensors", "a.weight");
    InputModel safetensors = read(dir);
    assertEquals(List.of("a.weight"), safetensors.shards().get(0).tensors().stream().map(t -> t.name()).toList());
    assertEquals(List.of("tokenizer.json"), safetensors.otherFiles().stream().map(p -> p.getName()).toList());
  }

  @Test
  void aLonePyTorchFileIsReadAsOne() throws IOException {
    Path file = dir.resolve("weights.pt");
    TorchZips.write(file, "weights", TorchZips.oneTensor("c.weight"));
    InputModel m = read(file);
    assertEquals(List.of(List.of(4L, 64L)), m.shards().get(0).tensors().stream().map(t -> t.shape()).toList());
  }

  @Test
  void aPyTorchIndexNamesBinFiles() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{}");
    writeShard("model-00001-of-00001.safetensors", "a.weight");
    Files.writeString(dir.resolve(ModelReader.TORCH_INDEX),
        "{\"weight_map\": {\"a.weight\": \"model-00001-of-00001.safetensors\"}}");
    CheckpointException e = assertThrows(CheckpointException.class, () -> read(dir));
    assertEquals(LocalFiles.hadoopPath(dir.resolve(ModelReader.TORCH_INDEX)).toString(), e.file());
    assertTrue(e.problem().contains("not a .bin file"), e.problem());
  }

  private void writeModel(Map<String, String> weightMap) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("weight_map", weightMap);
    Files.writeString(dir.resolve(ModelReader.INDEX), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(index));
  }

  private void writeShard(String file, String... names) throws IOException {
    Map<TensorSpec, byte[]> tensors = new LinkedHashMap<>();
    for (String n : names) {
      tensors.put(new TensorSpec(n, Dtype.BF16, List.of(2L, 2L)), new byte[8]);
    }
    dev.quarry.testing.TestCheckpoints.write(dir.resolve(file), tensors);
  }
}
