package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.CliRun;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.TestCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quarry convert --mode a,b,...} and {@code quarry zoo} converting a model's modes in one
 * read, end to end: one output per mode, each what a run of its own writes; a mode that fails is
 * reported and leaves no output while the others commit; a rerun leaves complete outputs alone.
 */
class ConvertModesTest {
  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  /** A float32 model of two layers whose first weight holds {@code special} at element 5. */
  private Path modelWith(float special) throws IOException {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), SmallModels.CONFIG);
    List<TestCheckpoints.Tensor> tensors = new ArrayList<>(SmallModels.layer(0, special));
    tensors.addAll(SmallModels.layer(1, 0.5f));
    TestCheckpoints.write(model.resolve("model.safetensors"), tensors);
    return model;
  }

  /** 70000 is beyond float16: the int8 modes refuse it, the 4-bit ones do not. */
  private Path overflowingModel() throws IOException {
    return modelWith(70000f);
  }

  private int convert(Path model, String modes, Path out) {
    return cli.run("convert", "--input", model.toString(), "--output", out.toString(), "--mode", modes,
        "--master", "local[2]");
  }

  @Test
  void aFailingModeLeavesNoOutputAndTheOthersCommit() throws IOException {
    Path model = overflowingModel();
    Path out = dir.resolve("out");
    assertEquals(1, convert(model, "nf4,int8,fp4-dq", out), cli.err());
    assertTrue(cli.err().startsWith("quarry: error: int8: file:" + model.resolve("model.safetensors") + ": tensor '"
        + SmallModels.weight(0) + "'"), cli.err());
    assertTrue(cli.err().contains("value 70000.0 at element 5 overflows float16"), cli.err());
    assertEquals(1, cli.err().lines().count(), cli.err());
    assertEquals(List.of("fp4-dq", "nf4"), FileTrees.names(out), "no directory for int8");
    String printed = cli.out();
    for (String mode : List.of("nf4", "fp4-dq")) {
      assertTrue(printed.contains(out.resolve(mode) + ": converted"), printed);
      Path alone = dir.resolve("alone-" + mode);
      assertEquals(0, convert(model, mode, alone), cli.err());
      assertEquals(FileTrees.snapshot(alone), FileTrees.snapshot(out.resolve(mode)), mode);
    }
    // a rerun: the complete outputs are left alone, int8 fails again
    assertEquals(1, convert(model, "nf4,int8,fp4-dq", out), cli.err());
    assertTrue(cli.out().contains(out.resolve("nf4") + ": output already complete"), cli.out());
    assertEquals(List.of("fp4-dq", "nf4"), FileTrees.names(out));
  }

  /** A mode whose output directory cannot be used fails before anything runs; the others are converted. */
  @Test
  void aModeWhoseOutputIsTakenFailsAlone() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 2);
    Path out = dir.resolve("out");
    Files.createDirectories(out.resolve("fp4"));
    Files.writeString(out.resolve("fp4").resolve("notes.txt"), "not quarry's");
    assertEquals(1, convert(model, "fp4,nf4", out), cli.err());
    assertTrue(cli.err().startsWith("quarry: error: fp4: ") && cli.err().contains("is not empty and not an output of quarry"),
        cli.err());
    assertEquals(List.of("notes.txt"), FileTrees.names(out.resolve("fp4")), "left as it was");
    assertTrue(Files.exists(out.resolve("nf4").resolve("_SUCCESS")));
  }

  @Test
  void everyModeFailingIsAnError() throws IOException {
    Path model = overflowingModel();
    assertEquals(Quarry.EXIT_ERROR, convert(model, "int8,int8-training", dir.resolve("out")), cli.err());
    assertEquals(2, cli.err().lines().filter(l -> l.contains("overflows float16")).count(), cli.err());
    assertFalse(Files.exists(dir.resolve("out").resolve("int8")));
    assertFalse(Files.exists(dir.resolve("out").resolve("int8-training")));
  }

  /**
   * A NaN is the input's fault: without --allow-non-finite every mode fails on it; with it, the one
   * scan of the run keeps the weight unquantized in every mode, as each mode's own run does.
   */
  @Test
  void aNanFailsEveryModeOrIsKeptInEvery() throws IOException {
    Path model = modelWith(Float.NaN);
    assertEquals(Quarry.EXIT_ERROR, convert(model, "fp4-dq,int8", dir.resolve("failed")), cli.err());
    assertEquals(2, cli.err().lines().filter(l -> l.contains("NaN at element 5")).count(), cli.err());
    assertFalse(Files.exists(dir.resolve("failed").resolve("fp4-dq")));
    Path out = dir.resolve("out");
    assertEquals(0, cli.run("convert", "--input", model.toString(), "--output", out.toString(), "--mode", "fp4-dq,int8",
        "--master", "local[2]", "--allow-non-finite"), cli.err());
    for (String mode : List.of("fp4-dq", "int8")) {
      Path alone = dir.resolve("alone-" + mode);
      assertEquals(0, cli.run("convert", "--input", model.toString(), "--output", alone.toString(), "--mode", mode,
          "--master", "local[2]", "--allow-non-finite"), cli.err());
      assertTrue(cli.out().contains("--allow-non-finite: kept '" + SmallModels.weight(0) + "' unquantized"), cli.out());
      assertEquals(FileTrees.snapshot(alone), FileTrees.snapshot(out.resolve(mode)), mode);
    }
  }

  @Test
  void aModeGivenTwiceOrToInspectIsAUsageError() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 1);
    assertEquals(Quarry.EXIT_ERROR, convert(model, "nf4,nf4", dir.resolve("out")));
    assertTrue(cli.err().contains("--mode nf4 is given twice"), cli.err());
    assertEquals(Quarry.EXIT_ERROR, cli.run("inspect", model.toString(), "--mode", "nf4,int8"));
    assertTrue(cli.err().contains("--mode takes one mode here, not 2"), cli.err());
  }

  /** A zoo model's three modes in one job: one quantize-and-write pass, each output its own run's. */
  @Test
  void theZooConvertsAModelsModesInOneRead() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 3);
    Path root = dir.resolve("zoo");
    Path spec = dir.resolve("zoo.yaml");
    Files.writeString(spec, String.join("\n", "output_root: " + root, "modes: [nf4-dq, fp4, int8]", "models:",
        "  - name: m", "    input: " + model, ""));
    assertEquals(0, cli.run("zoo", spec.toString(), "--master", "local[2]"), cli.err());
    assertEquals(1, cli.out().lines().filter(l -> l.contains("writing 3 shard(s) in place")).count(), cli.out());
    assertEquals(1, cli.out().lines().filter(l -> l.contains("phase scan")).count(), cli.out());
    for (String mode : List.of("nf4-dq", "fp4", "int8")) {
      Path alone = dir.resolve("alone-" + mode);
      assertEquals(0, convert(model, mode, alone), cli.err());
      assertEquals(FileTrees.snapshot(alone), FileTrees.snapshot(root.resolve("m").resolve(mode)), mode);
    }
  }
}
