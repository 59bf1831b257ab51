package dev.quarry.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ModelTensors;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify on a generated Llama (5 input shards) converted to nf4-dq into 3 output shards: a clean
 * output verifies, alone and against its input; a flipped byte, a deleted shard, a changed index and
 * a wrong input are each found and located.
 */
class VerifyTest {
  private static final String WEIGHT = "model.layers.1.mlp.up_proj.weight";

  @TempDir
  static Path dir;

  private static JavaSparkContext sc;
  private static Path input;
  private static Path converted;

  @BeforeAll
  static void convert() throws IOException {
    sc = SparkTestContext.start("VerifyTest");
    input = dir.resolve("input");
    SampleCheckpoint.write(LocalFiles.fs(), LocalFiles.hadoopPath(input), SampleModelConfig.tinyLlama());
    converted = dir.resolve("converted");
    ConversionJob.run(sc, new ConvertOptions(input.toString(), converted.toString(), QuantMode.NF4_DQ, 64,
        ModuleRules.TRANSFORMERS_DEFAULTS, ConvertOptions.DEFAULT_BLOCK_BYTES, 300_000, 0), line -> {});
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** A fresh copy of the converted output to damage. */
  private Path copy(String name) throws IOException {
    Path out = dir.resolve(name);
    FileUtils.copyDirectory(converted.toFile(), out.toFile());
    return out;
  }

  private static VerifyReport verify(Path out, Path model) throws IOException {
    return new OutputVerifier(sc, out.toString()).verify(model == null ? null : model.toString());
  }

  @Test
  void cleanOutputVerifiesAloneAndAgainstACopyOfItsInput() throws IOException {
    assertTrue(ModelTensors.shards(converted).size() > 1, "several output shards, so the index is checked");
    VerifyReport alone = verify(converted, null);
    assertEquals(List.of(), alone.problems());
    assertFalse(alone.rederived());
    Path copy = dir.resolve("input-copy");
    FileUtils.copyDirectory(input.toFile(), copy.toFile(), false); // new modification times, same content
    VerifyReport full = verify(converted, copy);
    assertEquals(List.of(), full.problems());
    assertTrue(full.rederived());
    assertFalse(Files.exists(converted.resolve(InputRederivation.SCRATCH)), "scratch conversion removed");
  }

  @Test
  void flippedByteIsFoundWithItsFileTensorAndOffset() throws IOException {
    Path out = copy("flipped");
    Path shard = shardHolding(out, WEIGHT);
    long offset = 1234;
    try (TensorFiles f = new TensorFiles(shard)) {
      long position = f.file().header().dataStart() + f.entry(WEIGHT).begin() + offset;
      try (RandomAccessFile raf = new RandomAccessFile(shard.toFile(), "rw")) {
        raf.seek(position);
        int b = raf.read();
        raf.seek(position);
        raf.write(b ^ 0x10);
      }
    }
    String file = shard.getFileName().toString();
    List<Problem> alone = verify(out, null).problems();
    assertEquals(1, alone.size(), alone.toString());
    assertEquals(List.of(file, WEIGHT), List.of(alone.get(0).file(), alone.get(0).tensor()));
    assertTrue(alone.get(0).message().startsWith("CRC32C"), alone.get(0).message());
    Path scratch = dir.resolve("scratch");
    List<Problem> full = new OutputVerifier(sc, out.toString()).verify(input.toString(), scratch.toString()).problems();
    try (Stream<Path> left = Files.list(scratch)) {
      assertTrue(left.findAny().isEmpty(), "the given scratch dir is emptied, not removed");
    }
    assertEquals(2, full.size(), full.toString());
    assertEquals(new Problem(file, WEIGHT, offset, "1 byte(s) differ from the quantization of the input"), full.get(1));
  }

  @Test
  void missingShardAndChangedIndexAreFound() throws IOException {
    Path out = copy("damaged");
    Path shard = shardHolding(out, WEIGHT);
    Files.delete(shard);
    Path index = out.resolve("model.safetensors.index.json");
    Files.writeString(index, Files.readString(index).replace("\"total_size\": ", "\"total_size\": 1"));
    List<Problem> problems = verify(out, null).problems();
    assertTrue(problems.contains(new Problem(shard.getFileName().toString(), null, null, "missing")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.file() != null && p.file().equals("model.safetensors.index.json")
        && p.message().startsWith("metadata.total_size")), problems.toString());
  }

  /** Another model of the same shapes: same headers, other values; every quantized and copied tensor differs. */
  @Test
  void wrongInputIsFound() throws IOException {
    Path other = dir.resolve("other-input");
    SampleModelConfig c = SampleModelConfig.tinyLlama();
    SampleCheckpoint.write(LocalFiles.fs(), LocalFiles.hadoopPath(other),
        new SampleModelConfig(c.layers(), c.hidden(), c.intermediate(), c.vocab(), c.heads(), c.kvHeads(), c.maxShardBytes(), 7));
    List<Problem> problems = verify(converted, other).problems();
    assertTrue(problems.stream().anyMatch(p -> WEIGHT.equals(p.tensor()) && p.offset() != null), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> "lm_head.weight".equals(p.tensor()) && p.offset() != null), problems.toString());
  }

  private static Path shardHolding(Path out, String tensor) throws IOException {
    for (Path shard : ModelTensors.shards(out)) {
      try (TensorFiles f = new TensorFiles(shard)) {
        if (f.entry(tensor) != null) {
          return shard;
        }
      }
    }
    throw new AssertionError(tensor);
  }
}
