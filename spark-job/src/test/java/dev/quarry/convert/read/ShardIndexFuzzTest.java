package dev.quarry.convert.read;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.testing.FuzzRun;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SeededMutator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the index parser (JSON object, weight_map, shard file names) with 100,000 seeded mutations
 * of valid indexes, hostile names among the inserted tokens ({@code ../x}, absolute paths, URLs):
 * each must parse or end in a {@link CheckpointException}, and whatever parses names only files in
 * the model directory.
 */
class ShardIndexFuzzTest {
  private static final int INPUTS = 100_000;

  @Test
  void everyMutatedIndexParsesOrIsACheckpointError() throws IOException {
    List<byte[]> seeds = List.of(
        Files.readAllBytes(ReferenceData.file("tiny-llama/input/model.safetensors.index.json")),
        ("{\"metadata\":{\"total_size\":24},\"weight_map\":{\"a.weight\":\"model-00001-of-00002.safetensors\","
            + "\"b.weight\":\"model-00002-of-00002.safetensors\"}}").getBytes(StandardCharsets.UTF_8));
    Path modelDir = new Path("/model");
    SeededMutator m = new SeededMutator(20261124L);
    FuzzRun.run(INPUTS, Duration.ofSeconds(120), CheckpointException.class, i -> {
      byte[] input = m.mutate(seeds.get(m.random().nextInt(seeds.size())));
      return new FuzzRun.Input("base64 " + Base64.getEncoder().encodeToString(input), () -> {
        ShardIndex index = ShardIndex.of("index.json", JsonObjectFile.parse("index.json", input));
        for (String f : index.files()) {
          assertTrue(new Path(modelDir, f).getParent().equals(modelDir) && f.endsWith(".safetensors"),
              () -> "names a file outside the model directory: " + f);
        }
      });
    });
  }
}
