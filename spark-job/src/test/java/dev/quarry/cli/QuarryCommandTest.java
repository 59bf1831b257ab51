package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.TensorFiles;
import dev.quarry.testing.TestCheckpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The real {@code quarry} command line, run in process. */
class QuarryCommandTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Quarry.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private List<String> filesInDir() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void assertOneErrorLine(String expected) {
    assertEquals("quarry: error: " + expected + System.lineSeparator(), err.toString());
  }

  private Path f32File(String tensorName, List<Long> shape, float... values) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    Path in = dir.resolve("in.safetensors");
    TestCheckpoints.write(in, Map.of(new TensorSpec(tensorName, Dtype.F32, shape), b.array()));
    return in;
  }

  @Test
  void quantizesAShard() throws IOException {
    Path out = dir.resolve("out.safetensors");
    int code = run("quantize", "--mode", "nf4-dq", ReferenceData.tinyLlamaShard(1).toString(), out.toString());
    assertEquals(0, code, err.toString());
    assertEquals("", err.toString());
    assertTrue(out().contains("quantized 4 of 5 tensors (nf4-dq, blocksize 64)"), out());
    assertEquals(List.of("out.safetensors"), filesInDir(), "no temporary or staging file is left");
    try (TensorFiles f = new TensorFiles(out)) {
      assertEquals(Dtype.U8, f.entry("model.layers.0.self_attn.q_proj.weight").dtype());
      assertEquals(Dtype.BF16, f.entry("model.embed_tokens.weight").dtype());
    }
  }

  private String out() {
    return out.toString();
  }

  @Test
  void replacesAnExistingOutput() throws IOException {
    Path out = dir.resolve("out.safetensors");
    Files.writeString(out, "old");
    assertEquals(0, run("quantize", "--mode", "int8", "--overwrite", ReferenceData.tinyLlamaShard(2).toString(), out.toString()));
    try (TensorFiles f = new TensorFiles(out)) {
      assertEquals(Dtype.I8, f.entry("model.layers.0.mlp.up_proj.weight").dtype());
    }
  }

  @Test
  void nanIsAnErrorNamingTensorAndElement() throws IOException {
    Path in = f32File("layer.weight", List.of(2L, 4L), 1, 2, 3, 4, 5, Float.NaN, 7, 8);
    Path out = dir.resolve("out.safetensors");
    assertEquals(2, run("quantize", "--mode", "nf4", in.toString(), out.toString()));
    assertOneErrorLine(in + ": tensor 'layer.weight': NaN at element 5");
    assertEquals(List.of("in.safetensors"), filesInDir(), "no output, temporary or staging file");
  }

  @Test
  void infinityIsAnError() throws IOException {
    Path in = f32File("layer.weight", List.of(1L, 3L), 1, Float.NEGATIVE_INFINITY, 3);
    assertEquals(2, run("quantize", "--mode", "fp4-dq", in.toString(), dir.resolve("o.safetensors").toString()));
    assertOneErrorLine(in + ": tensor 'layer.weight': -inf at element 1");
    assertEquals(List.of("in.safetensors"), filesInDir());
  }

  @Test
  void float16OverflowIsAnErrorInInt8Modes() throws IOException {
    for (String mode : List.of("int8", "int8-training")) {
      err.getBuffer().setLength(0);
      Path in = f32File("layer.weight", List.of(2L, 2L), 1, 2, 3, 70000f);
      assertEquals(2, run("quantize", "--mode", mode, in.toString(), dir.resolve("o.safetensors").toString()));
      assertTrue(err.toString().startsWith("quarry: error: " + in + ": tensor 'layer.weight': value 70000.0 at element 3 "),
          err.toString());
      assertEquals(1, err.toString().lines().count());
      assertEquals(List.of("in.safetensors"), filesInDir());
    }
  }

  @Test
  void invalidFileIsAnErrorNamingIt() throws IOException {
    Path in = dir.resolve("in.safetensors");
    Files.writeString(in, "this is not safetensors at all");
    assertEquals(2, run("quantize", "--mode", "nf4", in.toString(), dir.resolve("o.safetensors").toString()));
    assertTrue(err.toString().startsWith("quarry: error: " + in + ": not a safetensors file"), err.toString());
    assertEquals(1, err.toString().lines().count());
    assertEquals(List.of("in.safetensors"), filesInDir());
  }

  @Test
  void missingInputIsAnError() {
    Path in = dir.resolve("absent.safetensors");
    assertEquals(2, run("quantize", "--mode", "nf4", in.toString(), dir.resolve("o.safetensors").toString()));
    assertOneErrorLine(in + ": no such file");
  }

  @Test
  void usageErrorsExitWith2() {
    assertEquals(2, run("quantize", "--mode", "nf5", "a", "b"));
    assertTrue(err.toString().startsWith("quarry: error: Invalid value for option '--mode': unknown mode 'nf5'"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run("quantize", "--mode", "nf4", "--blocksize", "100", "a", "b"));
    assertTrue(err.toString().startsWith("quarry: error: --blocksize: blocksize 100"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run());
    assertTrue(err.toString().startsWith("quarry: error: missing subcommand"), err.toString());
  }

  @Test
  void helpDocumentsEveryOption() {
    assertEquals(0, run("quantize", "--help"));
    for (String option : List.of("--mode", "--blocksize", "--all-tensors", "--help", "--version", "IN.safetensors",
        "OUT.safetensors", "nf4-dq", "int8-training")) {
      assertTrue(out().contains(option), option + " in:\n" + out());
    }
    out.getBuffer().setLength(0);
    assertEquals(0, run("--help"));
    assertTrue(out().contains("quantize") && out().contains("demo"), out());
    out.getBuffer().setLength(0);
    assertEquals(0, run("demo", "--help"));
    assertTrue(out().contains("--dir") && out().contains("--mode"), out());
  }

  @Test
  void versionNamesTheProjectVersion() {
    assertEquals(0, run("--version"));
    // the Maven-filtered version, not the unfiltered placeholder
    assertTrue(out().lines().findFirst().orElse("").matches("quarry \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), out());
  }

  @Test
  void demoGeneratesAndConvertsASampleOnSpark() throws IOException {
    assertEquals(0, run("demo", "--dir", dir.toString(), "--mode", "fp4"), err.toString());
    for (int i = 1; i <= 5; i++) {
      assertTrue(Files.isRegularFile(dir.resolve("input").resolve(String.format("model-%05d-of-00005.safetensors", i))));
    }
    Path out = dir.resolve("fp4");
    assertTrue(Files.isRegularFile(out.resolve("_SUCCESS")), "the output is complete");
    assertTrue(Files.readString(out.resolve("config.json")).contains("\"bnb_4bit_quant_type\": \"fp4\""));
    try (TensorFiles f = new TensorFiles(out.resolve("model.safetensors"))) {
      assertEquals(Dtype.U8, f.entry("model.layers.1.mlp.down_proj.weight").dtype());
      assertEquals(Dtype.BF16, f.entry("lm_head.weight").dtype());
    }
    assertTrue(out().contains("converted 21 tensors (14 quantized, 7 copied)"), out());
    this.out.getBuffer().setLength(0);
    // the demo regenerates its input (new files): a different conversion, replacing its own output
    assertEquals(0, run("demo", "--dir", dir.toString(), "--mode", "fp4"), err.toString());
    assertTrue(out().contains("converted 21 tensors (14 quantized, 7 copied)"), out());
  }

  @Test
  void convertsTheReferenceModelAndRerunsAsNoOp() throws IOException {
    Path input = ReferenceData.file("tiny-llama/input/config.json").getParent();
    Path output = dir.resolve("out");
    String[] args = {"convert", "--input", input.toString(), "--output", output.toString(), "--mode", "int8",
        "--master", "local[2]", "--block-size-mb", "1", "--max-shard-size", "500KB"};
    assertEquals(0, run(args), err.toString());
    assertTrue(Files.isRegularFile(output.resolve("model.safetensors.index.json")), "several shards under 500KB");
    try (Stream<Path> files = Files.list(output)) {
      List<Path> shards = files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).toList();
      assertTrue(shards.size() >= 4, "about 2 MB in shards of at most 500 kB: " + shards);
      for (Path shard : shards) {
        assertTrue(Files.size(shard) <= 500_000 + 4_096, shard + " within the limit (plus its header)");
      }
    }
    out.getBuffer().setLength(0);
    assertEquals(0, run(args), err.toString());
    assertTrue(out().contains("nothing to do"), out());
  }

  @Test
  void aNaNWeightFailsTheConversionWithOneLineNamingIt() throws IOException {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"llama\"}");
    Path in = f32File("model.layers.0.mlp.up_proj.weight", List.of(2L, 32L), nanAt(5, 64));
    Files.move(in, model.resolve("model.safetensors"));
    Path output = dir.resolve("out");
    int code = run("convert", "--input", model.toString(), "--output", output.toString(), "--mode", "nf4", "--master", "local[1]");
    assertEquals(Quarry.EXIT_ERROR, code);
    assertOneErrorLine(model.resolve("model.safetensors").toUri().toString().replace("file:///", "file:/")
        + ": tensor 'model.layers.0.mlp.up_proj.weight': NaN at element 5");
    assertTrue(!Files.exists(output.resolve("_SUCCESS")) && !Files.exists(output.resolve("_staging")), "nothing committed");
  }

  private static float[] nanAt(int index, int count) {
    float[] values = new float[count];
    values[index] = Float.NaN;
    return values;
  }
}
