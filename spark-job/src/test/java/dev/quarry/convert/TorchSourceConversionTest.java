package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.plan.TensorPlan;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceComparison;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PyTorch checkpoints of {@code sources/bin} (the reference tiny-llama saved by torch 1.13:
 * sharded, with views of one storage, with a column-major weight) converted on a local Spark: each
 * gives what transformers saved from the safetensors model ({@code tiny-llama/hf-<mode>}), the
 * whole file byte for byte without double quantization, every tensor (the offset within §3's
 * allowance) with it, and the same config.json and other files.
 */
class TorchSourceConversionTest {
  private static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSpark() {
    sc = SparkTestContext.start("TorchSourceConversionTest");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  /** Every case in the five modes transformers saved. */
  static Stream<Arguments> conversions() {
    return Stream.of("tiny-llama-sharded", "tiny-llama-views", "tiny-llama-views-strided")
        .flatMap(source -> Stream.of("nf4", "nf4-dq", "fp4", "fp4-dq", "int8").map(mode -> Arguments.of(source, mode)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("conversions")
  void convertsToWhatTransformersSaved(String source, String mode) throws IOException {
    Path input = ReferenceData.file("sources/bin/" + source + "/config.json").getParent();
    Path out = dir.resolve("out");
    ConvertSummary s = ConversionJob.run(sc, ConvertOptions.of(input.toString(), out.toString(), QuantMode.fromCliName(mode)),
        line -> {});
    assertFalse(s.alreadyComplete());
    Path reference = ReferenceData.file("tiny-llama/hf-" + mode + "/model.safetensors").getParent();
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of("_SUCCESS", "config.json", "generation_config.json", "model.safetensors", "quarry-manifest.arrow"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    QuantMode m = QuantMode.fromCliName(mode);
    new ReferenceComparison(m).compareAll(List.of(out.resolve("model.safetensors")), reference.resolve("model.safetensors"));
    if (!m.doubleQuant()) {
      assertArrayEquals(Files.readAllBytes(reference.resolve("model.safetensors")),
          Files.readAllBytes(out.resolve("model.safetensors")), "the whole file, header included");
    }
    assertEquals(Files.readString(reference.resolve("config.json")), Files.readString(out.resolve("config.json")));
  }

  /**
   * int8-training casts instead of quantizing (no hf reference): the column-major source's output is
   * the safetensors source's, byte for byte.
   */
  @Test
  void castsTheColumnMajorWeightAsTheSafetensorsOne() throws IOException {
    Path strided = ReferenceData.file("sources/bin/tiny-llama-views-strided/config.json").getParent();
    Path safetensors = ReferenceData.file("tiny-llama/input/config.json").getParent();
    Path a = dir.resolve("from-bin");
    Path b = dir.resolve("from-safetensors");
    ConversionJob.run(sc, ConvertOptions.of(strided.toString(), a.toString(), QuantMode.INT8_TRAINING), line -> {});
    ConversionJob.run(sc, ConvertOptions.of(safetensors.toString(), b.toString(), QuantMode.INT8_TRAINING), line -> {});
    assertArrayEquals(Files.readAllBytes(b.resolve("model.safetensors")), Files.readAllBytes(a.resolve("model.safetensors")));
  }

  /**
   * The planner reads a column-major weight transposed into its own shape; --allow-non-finite, which
   * would copy such a weight's bytes if it held NaN, is refused for it before any work.
   */
  @Test
  void plansAColumnMajorWeightTransposedAndRefusesToCopyIt() throws IOException {
    Path strided = ReferenceData.file("sources/bin/tiny-llama-views-strided/config.json").getParent();
    InputModel model = ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(strided));
    ConvertOptions o = ConvertOptions.of(strided.toString(), dir.resolve("out").toString(), QuantMode.NF4);
    TensorPlan down = Planner.plan(model, o).tensors().stream()
        .filter(t -> t.tensor().name().equals("model.layers.0.mlp.down_proj.weight")).findFirst().orElseThrow();
    assertTrue(down.transposed());
    assertEquals(List.of(256L, 704L), down.quantizedShape());
    CheckpointException e = assertThrows(CheckpointException.class, () -> Planner.plan(model, o.withAllowNonFinite(true)));
    assertEquals("model.layers.0.mlp.down_proj.weight", e.tensor());
    assertTrue(e.problem().contains("--allow-non-finite"), e.problem());
  }
}
