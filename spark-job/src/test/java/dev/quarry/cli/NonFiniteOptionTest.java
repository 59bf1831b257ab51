package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.TensorFiles;
import dev.quarry.testing.TestCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --allow-non-finite}: a weight holding NaN or ±inf is kept unquantized in its original
 * dtype and reported; the other weights come out as they would without it; convert names the
 * module in llm_int8_skip_modules so that transformers loads it as a plain Linear layer.
 */
class NonFiniteOptionTest {
  private static final String KEPT = SmallModels.weight(0);

  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  /** Two layers; layer 0's weight holds {@code special} at element 5. */
  private Path model(String name, float special) throws IOException {
    Path model = Files.createDirectories(dir.resolve(name));
    Files.writeString(model.resolve("config.json"), SmallModels.CONFIG);
    List<TestCheckpoints.Tensor> tensors = new ArrayList<>(SmallModels.layer(0, special));
    tensors.addAll(SmallModels.layer(1, 0.5f));
    TestCheckpoints.write(model.resolve("model.safetensors"), tensors);
    return model;
  }

  @Test
  void quantizeKeepsTheTensorAndSaysSo() throws IOException {
    Path in = model("nan", Float.NaN).resolve("model.safetensors");
    Path output = dir.resolve("out.safetensors");
    assertEquals(0, cli.run("quantize", "--mode", "nf4", "--allow-non-finite", in.toString(), output.toString()), cli.err());
    assertTrue(cli.out().contains("--allow-non-finite: kept '" + KEPT + "' (NaN at element 5) unquantized in its original dtype"),
        cli.out());
    Path reference = dir.resolve("finite.safetensors");
    assertEquals(0, cli.run("quantize", "--mode", "nf4", model("finite", 0.5f).resolve("model.safetensors").toString(),
        reference.toString()), cli.err());
    try (TensorFiles input = new TensorFiles(in); TensorFiles ours = new TensorFiles(output);
        TensorFiles finite = new TensorFiles(reference)) {
      assertEquals(Dtype.F32, ours.entry(KEPT).dtype());
      assertArrayEquals(input.bytes(KEPT), ours.bytes(KEPT), "the weight as it was");
      assertEquals(null, ours.entry(KEPT + ".absmax"));
      assertSameExceptKept(finite, ours);
    }
  }

  @Test
  void convertKeepsTheTensorAndSkipsItsModule() throws IOException {
    Path model = model("inf", Float.POSITIVE_INFINITY);
    Path output = dir.resolve("out");
    String[] args = {"convert", "--input", model.toString(), "--output", output.toString(), "--mode", "nf4-dq",
        "--master", "local[2]", "--allow-non-finite"};
    assertEquals(0, cli.run(args), cli.err());
    assertTrue(cli.out().contains("--allow-non-finite: kept '" + KEPT + "' unquantized in F32 (+inf at element 5)"),
        cli.out());
    JsonNode q = new ObjectMapper().readTree(output.resolve("config.json").toFile()).get("quantization_config");
    assertEquals("[\"model.layers.0.mlp.up_proj\"]", q.get("llm_int8_skip_modules").toString());

    Path reference = dir.resolve("reference");
    assertEquals(0, cli.run("convert", "--input", model("finite", 0.5f).toString(), "--output", reference.toString(),
        "--mode", "nf4-dq", "--master", "local[2]"), cli.err());
    try (TensorFiles input = new TensorFiles(model.resolve("model.safetensors"));
        TensorFiles ours = new TensorFiles(output.resolve("model.safetensors"));
        TensorFiles finite = new TensorFiles(reference.resolve("model.safetensors"))) {
      assertEquals(Dtype.F32, ours.entry(KEPT).dtype());
      assertArrayEquals(input.bytes(KEPT), ours.bytes(KEPT), "the weight as it was");
      assertSameExceptKept(finite, ours);
    }
    // the manifest records the option: verify re-derives the output with it and finds every byte the same
    assertEquals(0, cli.run("verify", output.toString(), "--input", model.toString(), "--master", "local[2]"),
        cli.out() + cli.err());
  }

  /** Every tensor not of the kept weight equals the conversion of the model without the non-finite value. */
  private static void assertSameExceptKept(TensorFiles finite, TensorFiles ours) throws IOException {
    int compared = 0;
    for (TensorEntry t : ours.file().header().tensors()) {
      if (!t.name().startsWith(KEPT)) {
        assertArrayEquals(finite.bytes(t.name()), ours.bytes(t.name()), t.name());
        compared++;
      }
    }
    assertTrue(compared >= 5, "layer 1's quantized weight and the norms: " + compared);
  }
}
