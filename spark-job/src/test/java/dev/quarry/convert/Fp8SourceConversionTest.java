package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.plan.TensorPlan;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.InputShard;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.kernels.BlockFp8;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TestCheckpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The block-FP8 model of {@code sources/fp8/tiny-llama} (F8_E4M3 weights, a float32 scale per 128 × 128
 * block, the 704-long dimension ending in a partial block) converts, in every mode, to exactly what its
 * bfloat16 dequantization ({@code dequantized/}) converts to: every shard, the index and config.json
 * byte for byte (the scales consumed, the fp8 quantization_config replaced by bitsandbytes').
 */
class Fp8SourceConversionTest {
  private static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSpark() {
    sc = SparkTestContext.start("Fp8SourceConversionTest");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  private static Path model(String which) {
    return ReferenceData.file("sources/fp8/tiny-llama/" + which + "/config.json").getParent();
  }

  /** The files a conversion writes, but for the manifest and _SUCCESS (which name the input). */
  private static List<String> files(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("_SUCCESS") && !n.equals("quarry-manifest.arrow")).sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(QuantMode.class)
  void convertsAsItsBfloat16Dequantization(QuantMode mode) throws IOException {
    Path fromFp8 = dir.resolve("fp8");
    Path fromBf16 = dir.resolve("bf16");
    // small blocks: tasks and chunks start inside rows and inside blocks of scales
    ConversionJob.run(sc, ConvertOptions.of(model("input").toString(), fromFp8.toString(), mode).withBlockBytes(40_000),
        line -> {});
    ConversionJob.run(sc, ConvertOptions.of(model("dequantized").toString(), fromBf16.toString(), mode), line -> {});
    List<String> files = files(fromBf16);
    assertEquals(files, files(fromFp8));
    assertTrue(files.contains("model.safetensors.index.json") || files.contains("model.safetensors"), files.toString());
    for (String f : files) {
      assertArrayEquals(Files.readAllBytes(fromBf16.resolve(f)), Files.readAllBytes(fromFp8.resolve(f)), f);
    }
    Object quantization = new ObjectMapper().readTree(fromFp8.resolve("config.json").toFile()).get("quantization_config")
        .get("quant_method").asText();
    assertEquals("bitsandbytes", quantization);
  }

  /**
   * A weight whose scales lie in another shard, in blocks of 2 × 128 (two rows of blocks, a partial
   * column of blocks): the executors read the scales from that shard, and the output is that of the
   * bfloat16 weight {@link BlockFp8} dequantizes it to.
   */
  @Test
  void readsScalesFromAnotherShard() throws IOException {
    String w = "model.layers.0.mlp.down_proj.weight";
    String norm = "model.layers.0.input_layernorm.weight";
    long rows = 4;
    long cols = 200;
    byte[] codes = new byte[(int) (rows * cols)];
    for (int k = 0; k < codes.length; k++) {
      codes[k] = (byte) ((k * 37) & 0x7e); // no NaN code (0x7f, 0xff)
    }
    float[] scales = {0.5f, 3f, 0.25f, 2f};
    ByteBuffer bf16 = ByteBuffer.allocate(codes.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < codes.length; k++) {
      bf16.putShort(BlockFp8.dequantize(codes[k], scales[(int) (k / cols / 2 * 2 + k % cols / 128)]));
    }
    TestCheckpoints.Tensor normTensor = new TestCheckpoints.Tensor(new TensorSpec(norm, Dtype.F32, List.of(cols)),
        SmallModels.floats(new float[(int) cols]));

    Path fp8 = Files.createDirectories(dir.resolve("fp8"));
    Files.writeString(fp8.resolve("config.json"), "{\"model_type\": \"llama\", \"torch_dtype\": \"bfloat16\", "
        + "\"quantization_config\": {\"quant_method\": \"fp8\", \"weight_block_size\": [2, 128]}}");
    TestCheckpoints.write(fp8.resolve("model-00001-of-00002.safetensors"),
        List.of(new TestCheckpoints.Tensor(new TensorSpec(w, Dtype.F8_E4M3, List.of(rows, cols)), codes)));
    TestCheckpoints.write(fp8.resolve("model-00002-of-00002.safetensors"), List.of(normTensor,
        new TestCheckpoints.Tensor(new TensorSpec(w + "_scale_inv", Dtype.F32, List.of(2L, 2L)), SmallModels.floats(scales))));
    SmallModels.writeIndex(fp8, Map.of(w, "model-00001-of-00002.safetensors", norm, "model-00002-of-00002.safetensors",
        w + "_scale_inv", "model-00002-of-00002.safetensors"));

    Path twin = Files.createDirectories(dir.resolve("bf16"));
    Files.writeString(twin.resolve("config.json"), "{\"model_type\": \"llama\", \"torch_dtype\": \"bfloat16\"}");
    TestCheckpoints.write(twin.resolve("model.safetensors"),
        List.of(new TestCheckpoints.Tensor(new TensorSpec(w, Dtype.BF16, List.of(rows, cols)), bf16.array()), normTensor));

    for (QuantMode mode : List.of(QuantMode.NF4, QuantMode.INT8)) {
      Path a = dir.resolve("out-fp8-" + mode.cliName());
      Path b = dir.resolve("out-bf16-" + mode.cliName());
      ConversionJob.run(sc, ConvertOptions.of(fp8.toString(), a.toString(), mode), line -> {});
      ConversionJob.run(sc, ConvertOptions.of(twin.toString(), b.toString(), mode), line -> {});
      assertArrayEquals(Files.readAllBytes(b.resolve("model.safetensors")), Files.readAllBytes(a.resolve("model.safetensors")),
          mode.cliName());
    }
  }

  /** The scales are consumed: the planner sees the weights as bfloat16 and no scale tensor at all. */
  @Test
  void plansTheWeightsAsBfloat16WithoutTheirScales() throws IOException {
    InputModel m = ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(model("input")));
    assertEquals(14, m.fp8Scales().size());
    ConversionPlan plan = Planner.plan(m, ConvertOptions.of(model("input").toString(), "unused", QuantMode.NF4));
    assertTrue(plan.tensors().stream().noneMatch(t -> t.tensor().name().endsWith("_scale_inv")));
    TensorPlan down = plan.tensors().stream().filter(t -> t.tensor().name().equals("model.layers.0.mlp.down_proj.weight"))
        .findFirst().orElseThrow();
    assertEquals(TensorAction.QUANTIZE, down.action());
    assertEquals("BF16", down.tensor().dtype().name());
    assertEquals(6, m.fp8Scales().get("model.layers.0.mlp.down_proj.weight").gridCols());
    assertNull(m.fp8Scales().get("model.embed_tokens.weight"));
    long files = 0;
    for (InputShard shard : m.shards()) {
      files += Files.size(Path.of(java.net.URI.create(shard.path())));
    }
    assertEquals(files, m.inputBytes(), "the consumed scales are input bytes too");
  }

  /**
   * A block-FP8 weight left unquantized would be copied as its codes without their scales: refused by
   * name, also under --allow-non-finite (which would copy a weight holding NaN).
   */
  @Test
  void refusesToCopyABlockFp8Weight() throws IOException {
    InputModel m = ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(model("input")));
    ConvertOptions o = ConvertOptions.of(model("input").toString(), "unused", QuantMode.NF4);
    CheckpointException skipped = assertThrows(CheckpointException.class, () -> Planner.plan(m,
        o.withRules(new ModuleRules(false, List.of("model.layers.1.mlp.down_proj"), List.of(), null))));
    assertEquals("model.layers.1.mlp.down_proj.weight", skipped.tensor());
    assertTrue(skipped.problem().startsWith("a block-FP8 weight and it is not quantized but copied"), skipped.problem());
    CheckpointException kept = assertThrows(CheckpointException.class, () -> Planner.plan(m, o.withAllowNonFinite(true)));
    assertTrue(kept.problem().contains("--allow-non-finite"), kept.problem());
    assertFalse(kept.problem().contains("Exception"));
  }
}
