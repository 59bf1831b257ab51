package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.dequantize.DequantizeJob;
import dev.quarry.kernels.ElementType;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceComparison;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TestCheckpoints;
import dev.quarry.verify.OutputVerifier;
import dev.quarry.verify.VerifyReport;
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
 * {@code --quant-storage} and {@code --compute-dtype} against {@code sources/storage/llama128}: each
 * {@code hf-*} case (transformers + bitsandbytes on a GPU) is what quarry converts the input to with
 * the same settings, tensor for tensor (the packed codes as a BF16 or F16 {@code [n / 4, 1]} tensor)
 * and config.json's quantization_config; verify accepts such an output (and re-derives it), and
 * dequantize reads it back to the same weights as the default uint8 storage.
 */
class OutputDtypesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSpark() {
    sc = SparkTestContext.start("OutputDtypesTest");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  private static Path input() {
    return ReferenceData.file("sources/storage/llama128/input/config.json").getParent();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("hf-nf4-dq-storage-bf16", QuantMode.NF4_DQ, QuantStorage.BFLOAT16, ElementType.BF16),
        Arguments.of("hf-nf4-storage-fp16", QuantMode.NF4, QuantStorage.FLOAT16, ElementType.F16),
        Arguments.of("hf-nf4-dq-compute-fp16", QuantMode.NF4_DQ, QuantStorage.UINT8, ElementType.F16),
        // transformers writes float32 when bnb_4bit_compute_dtype is not given: quarry when asked for it
        Arguments.of("hf-nf4-default-compute", QuantMode.NF4, QuantStorage.UINT8, ElementType.F32));
  }

  private Path convert(String name, QuantMode mode, QuantStorage storage, ElementType compute) throws IOException {
    Path out = dir.resolve(name);
    ConversionJob.run(sc, ConvertOptions.of(input().toString(), out.toString(), mode).withOutputDtypes(storage, compute),
        line -> {});
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void convertsToWhatTransformersSaved(String reference, QuantMode mode, QuantStorage storage, ElementType compute)
      throws IOException {
    Path out = convert("out", mode, storage, compute);
    Path expected = ReferenceData.file("sources/storage/llama128/" + reference + "/model.safetensors").getParent();
    new ReferenceComparison(mode).compareAll(List.of(out.resolve("model.safetensors")), expected.resolve("model.safetensors"));
    if (!mode.doubleQuant()) {
      assertArrayEquals(Files.readAllBytes(expected.resolve("model.safetensors")),
          Files.readAllBytes(out.resolve("model.safetensors")), "the whole file, header included");
    }
    assertEquals(quantizationConfig(expected), quantizationConfig(out));
    assertEquals(storage.torchName(), ManifestFile.read(LocalFiles.fs(),
        LocalFiles.hadoopPath(out.resolve("quarry-manifest.arrow"))).settings().quantStorage());

    VerifyReport report = new OutputVerifier(sc, out.toString()).verify(input().toString());
    assertTrue(report.ok(), report.problems().toString());
  }

  /** verify reads the storage back from the manifest: a config.json that names another one is a mismatch. */
  @Test
  void verifyTellsAConfigOfAnotherStorage() throws IOException {
    Path out = convert("bf16", QuantMode.NF4, QuantStorage.BFLOAT16, null);
    Path config = out.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"bnb_4bit_quant_storage\": \"bfloat16\"",
        "\"bnb_4bit_quant_storage\": \"uint8\""));
    VerifyReport report = new OutputVerifier(sc, out.toString()).verify(null);
    assertEquals(1, report.problems().size(), report.problems().toString());
    assertTrue(report.problems().get(0).toString().contains("quantization_config.bnb_4bit_quant_storage is uint8"),
        report.problems().toString());
  }

  private static JsonNode quantizationConfig(Path model) throws IOException {
    return JSON.readTree(model.resolve("config.json").toFile()).get("quantization_config");
  }

  /** Without --compute-dtype quarry writes the model's dtype (here bfloat16), as it always has. */
  @Test
  void defaultComputeDtypeIsTheModels() throws IOException {
    Path out = convert("default", QuantMode.NF4, QuantStorage.UINT8, null);
    assertEquals("bfloat16", quantizationConfig(out).get("bnb_4bit_compute_dtype").asText());
    assertEquals("uint8", quantizationConfig(out).get("bnb_4bit_quant_storage").asText());
  }

  /** The same packed bytes under another dtype: dequantize gives the same weights from either. */
  @Test
  void dequantizeReadsEveryStorageBack() throws IOException {
    Path plain = convert("uint8", QuantMode.NF4_DQ, QuantStorage.UINT8, null);
    byte[] expected = null;
    for (QuantStorage storage : List.of(QuantStorage.BFLOAT16, QuantStorage.FLOAT32)) {
      Path back = dir.resolve("back-" + storage.torchName());
      DequantizeJob.run(sc, convert(storage.torchName(), QuantMode.NF4_DQ, storage, null).toString(), back.toString(), null,
          5_000_000_000L);
      if (expected == null) {
        Path plainBack = dir.resolve("back-uint8");
        DequantizeJob.run(sc, plain.toString(), plainBack.toString(), null, 5_000_000_000L);
        expected = Files.readAllBytes(plainBack.resolve("model.safetensors"));
      }
      assertArrayEquals(expected, Files.readAllBytes(back.resolve("model.safetensors")), storage.torchName());
    }
  }

  /**
   * transformers' own checkpoint with bfloat16 storage holds the same bytes as its uint8 twin (both
   * nf4 with double quantization): dequantize reads both to the same weights.
   */
  @Test
  void dequantizeReadsTransformersStorage() throws IOException {
    Path bf16 = dir.resolve("from-bf16-storage");
    Path uint8 = dir.resolve("from-uint8-storage");
    DequantizeJob.run(sc, ReferenceData.file("sources/storage/llama128/hf-nf4-dq-storage-bf16/config.json").getParent()
        .toString(), bf16.toString(), null, 5_000_000_000L);
    DequantizeJob.run(sc, ReferenceData.file("sources/storage/llama128/hf-nf4-dq-compute-fp16/config.json").getParent()
        .toString(), uint8.toString(), null, 5_000_000_000L);
    assertArrayEquals(Files.readAllBytes(uint8.resolve("model.safetensors")), Files.readAllBytes(bf16.resolve("model.safetensors")));
  }

  /** A weight whose packed bytes are no whole number of storage elements is refused before any work. */
  @Test
  void refusesAWeightTheStorageCannotHold() throws IOException {
    Path model = dir.resolve("odd");
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), SmallModels.CONFIG);
    String w = SmallModels.weight(0);
    TestCheckpoints.write(model.resolve("model.safetensors"),
        List.of(new TestCheckpoints.Tensor(new TensorSpec(w, Dtype.F32, List.of(3L, 4L)), new byte[48])));
    InputModel m = ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(model));
    ConvertOptions nf4 = ConvertOptions.of(model.toString(), "unused", QuantMode.NF4);
    Planner.plan(m, nf4.withOutputDtypes(QuantStorage.BFLOAT16, null)); // 12 elements: 6 bytes, three bfloat16
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Planner.plan(m, nf4.withOutputDtypes(QuantStorage.FLOAT32, null)));
    assertEquals(w, e.tensor());
    assertTrue(e.problem().contains("--quant-storage float32 needs a multiple of 8 elements"), e.problem());
  }
}
