package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.HostilePickles;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.PickleBytes;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.TestCheckpoints;
import dev.quarry.testing.TorchZips;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input of issue 4, through the real command line: one error line naming the file
 * (and the tensor), exit code 2, nothing at the output path, the input untouched. A problem of one
 * safetensors file is checked in {@code quarry quantize} and {@code quarry convert}; problems of a
 * model directory (index, config.json, several shards), of a PyTorch checkpoint (the hostile pickles
 * of {@link HostilePickles}: refused, nothing executed) and of the output path in {@code convert}.
 */
class BadInputTest {
  private static final String W = SmallModels.weight(0);
  private static final String OK = "\"" + W + "\":{\"dtype\":\"F32\",\"shape\":[4,64],\"data_offsets\":[0,1024]}";

  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  /** Writes a bad model into a directory. */
  interface Fixture {
    void write(Path model) throws IOException;
  }

  /**
   * @param file   the file the message must name, relative to the model directory ("" for the
   *               output path itself)
   * @param tensor the tensor it must name, or null
   * @param phrase words the problem must contain
   */
  record Case(String label, Fixture fixture, String mode, String file, String tensor, String phrase) {
    @Override
    public String toString() {
      return label;
    }
  }

  private static Case file(String label, Fixture f, String tensor, String phrase) {
    return new Case(label, f, "nf4", "model.safetensors", tensor, phrase);
  }

  /** A model.safetensors of {@code header} and {@code dataBytes} zeros, beside a valid config.json. */
  private static Fixture raw(String header, int dataBytes) {
    return raw(header.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  private static Fixture raw(byte[] header, int dataBytes) {
    return model -> {
      config(model);
      LocalFiles.writeRaw(model.resolve("model.safetensors"), header, dataBytes);
    };
  }

  private static Fixture bytes(byte[] content) {
    return model -> {
      config(model);
      Files.write(model.resolve("model.safetensors"), content);
    };
  }

  private static void config(Path model) throws IOException {
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), SmallModels.CONFIG);
  }

  private static Fixture weightWith(float special) {
    return model -> {
      config(model);
      TestCheckpoints.write(model.resolve("model.safetensors"), SmallModels.layer(0, special));
    };
  }

  private static byte[] lengthPrefix(long length, String rest) {
    byte[] r = rest.getBytes(StandardCharsets.UTF_8);
    byte[] b = Arrays.copyOf(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(length).array(), 8 + r.length);
    System.arraycopy(r, 0, b, 8, r.length);
    return b;
  }

  static Stream<Case> fileCases() {
    String entry = "\"" + W + "\":";
    return Stream.of(
        file("not safetensors", bytes("this is a text file, not a model".getBytes(StandardCharsets.UTF_8)), null,
            "not a safetensors file"),
        file("shorter than the length prefix", bytes(new byte[] {1, 2, 3}), null, "not a safetensors file"),
        file("header length beyond the file", bytes(lengthPrefix(200, "{}")), null, "exceeds the file size"),
        file("header length over 100 MB", bytes(lengthPrefix(100_000_001L, "{}")), null, "exceeds the limit"),
        file("header length negative", bytes(lengthPrefix(-8, "{}")), null, "exceeds the limit"),
        file("header not JSON", raw("{\"a\": ", 0), null, "not valid JSON"),
        file("header not UTF-8", raw(new byte[] {'{', '"', (byte) 0xc3, '(', '"', ':', '1', '}'}, 0), null, "not valid UTF-8"),
        file("header not an object", raw("[1, 2]  ", 0), null, "not a JSON object"),
        file("entry not an object", raw("{" + entry + "5}", 0), W, "not a JSON object"),
        file("entry without dtype", raw("{" + entry + "{\"shape\":[4,64],\"data_offsets\":[0,1024]}}", 1024), W, "no dtype"),
        file("entry without shape", raw("{" + entry + "{\"dtype\":\"F32\",\"data_offsets\":[0,1024]}}", 1024), W, "no shape"),
        file("entry without data_offsets", raw("{" + entry + "{\"dtype\":\"F32\",\"shape\":[4,64]}}", 1024), W, "no data_offsets"),
        file("unknown dtype", raw("{" + entry + "{\"dtype\":\"F33\",\"shape\":[4,64],\"data_offsets\":[0,1024]}}", 1024), W,
            "unknown dtype 'F33'"),
        file("negative shape", raw("{" + entry + "{\"dtype\":\"F32\",\"shape\":[-4,64],\"data_offsets\":[0,1024]}}", 1024), W,
            "non-negative integers"),
        file("non-integer shape", raw("{" + entry + "{\"dtype\":\"F32\",\"shape\":[4.5,64],\"data_offsets\":[0,1024]}}", 1024), W,
            "non-negative integers"),
        file("shape size differs from the byte range",
            raw("{" + entry + "{\"dtype\":\"F32\",\"shape\":[4,32],\"data_offsets\":[0,1024]}}", 1024), W, "needs 512 bytes"),
        file("offsets reversed", raw("{" + entry + "{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,0]}}", 4), W,
            "data_offsets must be"),
        file("offsets beyond the data", raw("{" + OK + "}", 1000), W, "beyond the 1000 data bytes"),
        file("overlapping offsets", raw("{" + OK + ",\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[1020,1028]}}", 1028),
            "b", "overlap"),
        file("gap between tensors", raw("{" + OK + ",\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[1028,1032]}}", 1032),
            "b", "gap of 4 bytes"),
        file("bytes after the last tensor", raw("{" + OK + "}", 1030), null, "6 bytes after the last tensor"),
        file("duplicate tensor name", raw("{" + OK + "," + OK + "}", 1024), W, "Duplicate"),
        file("metadata not strings", raw("{\"__metadata__\":{\"format\":1}," + OK + "}", 1024), null, "not a string"),
        file("truncated shard", model -> {
          weightWith(0.5f).write(model);
          Path f = model.resolve("model.safetensors");
          byte[] all = Files.readAllBytes(f);
          Files.write(f, Arrays.copyOf(all, all.length - 100));
        }, SmallModels.norm(0), "truncated"),
        file("NaN weight", weightWith(Float.NaN), W, "NaN at element 5"),
        file("+inf weight", weightWith(Float.POSITIVE_INFINITY), W, "+inf at element 5"),
        file("-inf weight", weightWith(Float.NEGATIVE_INFINITY), W, "-inf at element 5"),
        new Case("float16 overflow in int8", weightWith(70000f), "int8", "model.safetensors", W,
            "value 70000.0 at element 5 overflows float16"),
        new Case("float16 overflow in int8-training", weightWith(-1e6f), "int8-training", "model.safetensors", W,
            "overflows float16"),
        file("unsupported dtype for the mode", model -> {
          config(model);
          TestCheckpoints.write(model.resolve("model.safetensors"),
              List.of(new TestCheckpoints.Tensor(new TensorSpec(W, Dtype.F64, List.of(4L, 64L)), new byte[2048])));
        }, W, "dtype F64 cannot be quantized to nf4"),
        file("a tensor named like a quantized output", model -> {
          config(model);
          List<TestCheckpoints.Tensor> tensors = new ArrayList<>(SmallModels.layer(0, 0.5f));
          tensors.add(new TestCheckpoints.Tensor(new TensorSpec(W + ".absmax", Dtype.F32, List.of(4L)), new byte[16]));
          TestCheckpoints.write(model.resolve("model.safetensors"), tensors);
        }, W + ".absmax", "already holds a tensor of the name a quantized tensor needs"));
  }

  private static Case model(String label, Fixture f, String file, String tensor, String phrase) {
    return new Case(label, f, "nf4", file, tensor, phrase);
  }

  private static Fixture index(String json) {
    return model -> {
      SmallModels.sharded(model, 2);
      Files.writeString(model.resolve("model.safetensors.index.json"), json);
    };
  }

  private static Fixture shardNamed(String name) {
    return model -> {
      SmallModels.sharded(model, 1);
      Map<String, String> weightMap = new LinkedHashMap<>();
      weightMap.put(SmallModels.weight(0), name);
      weightMap.put(SmallModels.norm(0), "model-00001-of-00001.safetensors");
      SmallModels.writeIndex(model, weightMap);
    };
  }

  private static Fixture configJson(String content) {
    return model -> {
      SmallModels.singleFile(model, 1);
      Files.writeString(model.resolve("config.json"), content);
    };
  }

  static Stream<Case> modelCases() {
    String index = "model.safetensors.index.json";
    String w0 = SmallModels.weight(0);
    return Stream.concat(fileCases(), Stream.of(
        model("index not JSON", index("{\"weight_map\": {"), index, null, "not a JSON object"),
        model("index not an object", index("[\"model-00001-of-00002.safetensors\"]"), index, null, "not a JSON object"),
        model("index without weight_map", index("{\"metadata\": {}}"), index, null, "no weight_map"),
        model("index value not a string", index("{\"weight_map\": {\"" + w0 + "\": 1}}"), index, w0, "not a string"),
        model("index names a missing shard", shardNamed("model-00009-of-00009.safetensors"),
            "model-00009-of-00009.safetensors", null, "no such file"),
        model("index names ../x", shardNamed("../model-00001-of-00001.safetensors"), index, w0, "outside the model directory"),
        model("index names an absolute path", shardNamed("/tmp/model-00001-of-00001.safetensors"), index, w0,
            "outside the model directory"),
        model("index names a URL", shardNamed("http://example.com/model.safetensors"), index, w0, "outside the model directory"),
        model("index names a scheme-relative file", shardNamed("file:model-00001-of-00001.safetensors"), index, w0,
            "outside the model directory"),
        model("index names ..", shardNamed(".."), index, w0, "outside the model directory"),
        model("index names a non-safetensors file", shardNamed("config.json"), index, w0, "not a .safetensors file"),
        model("index maps a tensor to a shard without it", model -> {
          SmallModels.sharded(model, 2);
          Map<String, String> weightMap = new LinkedHashMap<>();
          weightMap.put(SmallModels.weight(0), "model-00002-of-00002.safetensors");
          weightMap.put(SmallModels.norm(0), "model-00001-of-00002.safetensors");
          weightMap.put(SmallModels.weight(1), "model-00002-of-00002.safetensors");
          weightMap.put(SmallModels.norm(1), "model-00002-of-00002.safetensors");
          SmallModels.writeIndex(model, weightMap);
        }, "model-00001-of-00002.safetensors", w0, "not listed for this file"),
        model("tensor in two shards", model -> {
          SmallModels.sharded(model, 2);
          List<TestCheckpoints.Tensor> second = new ArrayList<>(SmallModels.layer(1, 0.5f));
          second.add(SmallModels.layer(0, 0.5f).get(0));
          TestCheckpoints.write(model.resolve("model-00002-of-00002.safetensors"), second);
        }, "model-00002-of-00002.safetensors", w0, "in two shards"),
        model("config.json not JSON", configJson("{\"model_type\": llama}"), "config.json", null, "not a JSON object"),
        model("config.json null", configJson("null"), "config.json", null, "not a JSON object"),
        model("config.json an array", configJson("[1, 2]"), "config.json", null, "not a JSON object"),
        model("config.json with a duplicate key", configJson("{\"a\": 1, \"a\": 2}"), "config.json", null, "Duplicate"),
        model("config.json missing", model -> {
          SmallModels.singleFile(model, 1);
          Files.delete(model.resolve("config.json"));
        }, "config.json", null, "no such file")));
  }

  /** A file {@code os.system} would create if a hostile pickle's command ran. */
  private static final Path EXECUTED =
      Path.of(System.getProperty("java.io.tmpdir"), "quarry-pickle-executed-" + ProcessHandle.current().pid());

  private static Fixture torchCheckpoint(byte[] zip) {
    return model -> {
      config(model);
      Files.write(model.resolve("pytorch_model.bin"), zip);
    };
  }

  /** The catalogue of hostile PyTorch checkpoints, and the column-major tensor a conversion would only copy. */
  static Stream<Case> torchCases() {
    String embedding = "model.embed_tokens.weight";
    Map<String, byte[]> columnMajor = new LinkedHashMap<>(TorchZips.oneTensor(embedding));
    columnMajor.put("data.pkl", PickleBytes.protocol2().op('}').mark().str(embedding)
        .tensor("FloatStorage", "0", 256, 0, new long[] {4, 64}, new long[] {1, 4}).op('u').stop().bytes());
    return Stream.concat(
        HostilePickles.cases(EXECUTED.toString()).stream().map(c -> new Case("pickle: " + c.label(),
            torchCheckpoint(c.zip()), "nf4", "pytorch_model.bin", c.tensor(), c.phrase())),
        Stream.of(
            new Case("pickle: a column-major tensor that is copied", torchCheckpoint(TorchZips.zip("archive", columnMajor)),
                "nf4", "pytorch_model.bin", embedding, "stored column-major (a transposed view) and it is not quantized"),
            model("pickle: index names ../pytorch_model.bin", model -> {
              config(model);
              Files.write(model.resolve("pytorch_model.bin"), TorchZips.zip("archive", TorchZips.oneTensor(W)));
              Files.writeString(model.resolve("pytorch_model.bin.index.json"),
                  "{\"weight_map\": {\"" + W + "\": \"../pytorch_model.bin\"}}");
            }, "pytorch_model.bin.index.json", W, "outside the model directory")));
  }

  private static final String FP8_CONFIG = "{\"model_type\": \"llama\", \"torch_dtype\": \"bfloat16\", "
      + "\"quantization_config\": {\"quant_method\": \"fp8\", \"fmt\": \"e4m3\", \"weight_block_size\": [128, 128]}}";

  /** A model.safetensors of {@code tensors} beside {@code config}. */
  private static Fixture withConfig(String config, TestCheckpoints.Tensor... tensors) {
    return model -> {
      Files.createDirectories(model);
      Files.writeString(model.resolve("config.json"), config);
      TestCheckpoints.write(model.resolve("model.safetensors"), List.of(tensors));
    };
  }

  /** A [4, 64] block-FP8 weight named {@code name} (codes of 1.0). */
  private static TestCheckpoints.Tensor fp8Weight(String name) {
    byte[] ones = new byte[256];
    Arrays.fill(ones, (byte) 0x38);
    return new TestCheckpoints.Tensor(new TensorSpec(name, Dtype.F8_E4M3, List.of(4L, 64L)), ones);
  }

  private static TestCheckpoints.Tensor scale(String weight, Dtype dtype, List<Long> shape, byte[] data) {
    return new TestCheckpoints.Tensor(new TensorSpec(weight + "_scale_inv", dtype, shape), data);
  }

  private static TestCheckpoints.Tensor scaleOf(String weight, float value) {
    return scale(weight, Dtype.F32, List.of(1L, 1L), SmallModels.floats(value));
  }

  /** Block-FP8 models that are not what transformers' fp8 loader (and quarry) reads. */
  static Stream<Case> fp8Cases() {
    String scale = W + "_scale_inv";
    String file = "model.safetensors";
    String embedding = "model.embed_tokens.weight";
    return Stream.of(
        new Case("fp8: a weight without its scale", withConfig(FP8_CONFIG, fp8Weight(W)), "nf4", file, W,
            "without its scales: the model has no tensor '" + scale + "'"),
        new Case("fp8: a scale of the wrong dtype", withConfig(FP8_CONFIG, fp8Weight(W),
            scale(W, Dtype.BF16, List.of(1L, 1L), new byte[2])), "nf4", file, scale, "dtype BF16; block-FP8 scales are F32"),
        new Case("fp8: a scale of the wrong shape", withConfig(FP8_CONFIG, fp8Weight(W),
            scale(W, Dtype.F32, List.of(2L, 1L), SmallModels.floats(1f, 1f))), "nf4", file, scale,
            "shape [2, 1]; the [4, 64] weight in blocks of 128 x 128 needs [1, 1]"),
        new Case("fp8: a NaN scale", withConfig(FP8_CONFIG, fp8Weight(W), scaleOf(W, Float.NaN)), "nf4", file, scale,
            "scale NaN of block [0, 0]; block-FP8 scales must be finite and not negative"),
        new Case("fp8: an infinite scale", withConfig(FP8_CONFIG, fp8Weight(W), scaleOf(W, Float.POSITIVE_INFINITY)), "nf4",
            file, scale, "scale Infinity of block [0, 0]"),
        new Case("fp8: a negative scale", withConfig(FP8_CONFIG, fp8Weight(W), scaleOf(W, -0.5f)), "nf4", file, scale,
            "scale -0.5 of block [0, 0]"),
        new Case("fp8: weights without the fp8 config", withConfig(SmallModels.CONFIG, fp8Weight(W), scaleOf(W, 1f)), "nf4",
            file, W, "an F8_E4M3 tensor, but config.json has no quantization_config with quant_method \"fp8\""),
        new Case("fp8: a scale without its weight", withConfig(FP8_CONFIG, SmallModels.layer(0, 0.5f).get(0), scaleOf(W, 1f)),
            "nf4", file, scale, "a block-FP8 scale whose weight '" + W + "' is F32, not F8_E4M3"),
        new Case("fp8: a bad weight_block_size", withConfig(FP8_CONFIG.replace("[128, 128]", "[128]"), fp8Weight(W),
            scaleOf(W, 1f)), "nf4", "config.json", null, "weight_block_size is [128]; a block-FP8 model needs two positive"),
        new Case("fp8: a block-FP8 weight that would be copied", withConfig(FP8_CONFIG, fp8Weight(embedding),
            scaleOf(embedding, 1f)), "nf4", file, embedding, "a block-FP8 weight and it is not quantized but copied"),
        new Case("fp8: a NaN code", withConfig(FP8_CONFIG, nanCode(fp8Weight(W)), scaleOf(W, 1f)), "nf4", file, W,
            "NaN at element 5"));
  }

  /** The weight with the e4m3fn NaN code at element 5. */
  private static TestCheckpoints.Tensor nanCode(TestCheckpoints.Tensor t) {
    byte[] data = t.data().clone();
    data[5] = 0x7f;
    return new TestCheckpoints.Tensor(t.spec(), data);
  }

  static Stream<Arguments> quantizeCases() {
    return fileCases().map(Arguments::of);
  }

  static Stream<Arguments> convertCases() {
    return Stream.concat(Stream.concat(modelCases(), torchCases()), fp8Cases()).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("quantizeCases")
  void quantizeRefuses(Case c) throws IOException {
    assertRefusedCleanly(c, "out.safetensors",
        (model, output) -> new String[] {"quantize", "--mode", c.mode(), model.resolve("model.safetensors").toString(),
            output.toString()});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("convertCases")
  void convertRefuses(Case c) throws IOException {
    assertRefusedCleanly(c, "out", (model, output) -> new String[] {"convert", "--input", model.toString(), "--output",
        output.toString(), "--mode", c.mode(), "--master", "local[1]"});
  }

  /** Runs the command on the case's model directory; nothing may appear beside it, nothing in it may change. */
  private void assertRefusedCleanly(Case c, String outputName, BiFunction<Path, Path, String[]> command)
      throws IOException {
    Path model = dir.resolve("model");
    c.fixture().write(model);
    Map<String, String> before = FileTrees.snapshot(model);
    int code = cli.run(command.apply(model, dir.resolve(outputName)));
    assertRefused(code, model.resolve(c.file()), c);
    assertEquals(List.of("model"), FileTrees.names(dir), "no output, no temporary or staging file beside it");
    assertEquals(before, FileTrees.snapshot(model), "input untouched");
    assertFalse(Files.exists(EXECUTED), "nothing from the input executed");
  }

  /** Exit code 2 and exactly one line: {@code quarry: error: <file>: [tensor '<t>': ]...<phrase>...}. */
  private void assertRefused(int code, Path file, Case c) {
    assertEquals(Quarry.EXIT_ERROR, code, () -> c + ": " + cli.err() + cli.out());
    String e = cli.err();
    assertEquals(1, e.lines().count(), e);
    String line = e.lines().findFirst().orElseThrow();
    String expected = "quarry: error: (file:)?" + Pattern.quote(file.toString()) + ": "
        + (c.tensor() == null ? "(?!tensor )" : Pattern.quote("tensor '" + c.tensor() + "': ")) + ".*"
        + Pattern.quote(c.phrase()) + ".*";
    assertTrue(line.matches(expected), () -> "\n" + line + "\nshould match\n" + expected);
  }
}
