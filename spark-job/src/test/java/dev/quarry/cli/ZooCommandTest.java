package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.manifest.ManifestRow;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ModelTensors;
import dev.quarry.zoo.ZooLock;
import dev.quarry.zoo.ZooReportFile;
import dev.quarry.zoo.ZooResult;
import dev.quarry.zoo.ZooStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quarry zoo} end to end on generated models: first run, rerun, changed input, a broken
 * model, the lock (held and stale), a bad spec.
 */
class ZooCommandTest {
  @TempDir
  Path dir;

  private final CliRun last = new CliRun();

  private int run(String... args) {
    return last.run(args);
  }

  private Path model(String name, long seed) throws IOException {
    Path input = dir.resolve(name);
    SampleCheckpoint.write(LocalFiles.fs(), LocalFiles.hadoopPath(input),
        new SampleModelConfig(1, 64, 128, 128, 2, 1, 40_000, seed));
    return input;
  }

  private Path spec(Path root, Path a, Path b) throws IOException {
    Path spec = dir.resolve("zoo.yaml");
    Files.writeString(spec, String.join("\n",
        "output_root: " + root,
        "modes: [nf4, int8]",
        "models:",
        "  - name: a",
        "    input: " + a,
        "  - name: b",
        "    input: " + b,
        "    modes: [fp4-dq]",
        "    blocksize: 128",
        "    skip_modules: [down_proj]",
        "  - name: broken",
        "    input: " + dir.resolve("no-such-model"),
        ""));
    return spec;
  }

  private static ZooStatus status(List<ZooResult> results, String model, String mode) {
    return results.stream().filter(r -> r.model().equals(model) && r.mode().equals(mode)).findFirst()
        .orElseThrow(() -> new AssertionError(model + " " + mode)).status();
  }

  @Test
  void convertsSkipsRedoesAndReports() throws IOException {
    Path root = dir.resolve("zoo");
    Path a = model("a-input", 1);
    Path spec = spec(root, a, model("b-input", 2));

    assertEquals(1, run("zoo", spec.toString(), "--master", "local[2]"), last.err());
    List<ZooResult> first = ZooReportFile.read(root.toString());
    assertEquals(5, first.size());
    assertEquals(List.of(ZooStatus.CONVERTED, ZooStatus.CONVERTED, ZooStatus.CONVERTED, ZooStatus.FAILED, ZooStatus.FAILED),
        first.stream().map(ZooResult::status).toList());
    ZooResult bnf = first.get(2);
    assertEquals(Files.size(root.resolve("b/fp4-dq/model.safetensors")), bnf.outputBytes());
    long inputBytes = 0;
    for (Path shard : ModelTensors.shards(dir.resolve("b-input"))) {
      inputBytes += Files.size(shard);
    }
    assertEquals(inputBytes, bnf.inputBytes());
    assertEquals((double) inputBytes / bnf.outputBytes(), bnf.compressionRatio(), 0);
    assertNotNull(bnf.maxAbsError());
    assertTrue(bnf.minSqnrDb() > 5 && bnf.minSqnrDb() <= bnf.meanSqnrDb(), bnf.toString());
    assertTrue(first.get(3).message().contains("no-such-model"), first.get(3).message());
    assertTrue(last.out().contains("FAILED broken nf4: "), last.out());
    assertTrue(last.out().contains("model                    mode           status"), last.out());
    Manifest b = ManifestFile.read(LocalFiles.fs(), LocalFiles.hadoopPath(root.resolve("b/fp4-dq/" + Manifest.FILE_NAME)));
    assertEquals(128, b.settings().blocksize());
    ManifestRow down = b.rows().stream().filter(r -> r.name().equals("model.layers.0.mlp.down_proj.weight")).findFirst().orElseThrow();
    assertEquals("copy", down.action());
    assertFalse(Files.exists(root.resolve(ZooLock.FILE)), "lock released");

    long written = Files.getLastModifiedTime(root.resolve("a/nf4/model.safetensors")).toMillis();
    assertEquals(1, run("zoo", spec.toString(), "--master", "local[2]"), last.err());
    List<ZooResult> second = ZooReportFile.read(root.toString());
    assertEquals(ZooStatus.UP_TO_DATE, status(second, "a", "nf4"));
    assertEquals(ZooStatus.UP_TO_DATE, status(second, "b", "fp4-dq"));
    assertEquals(first.get(0).outputBytes(), second.get(0).outputBytes());
    assertEquals(written, Files.getLastModifiedTime(root.resolve("a/nf4/model.safetensors")).toMillis());

    model("a-input", 3); // same shapes, other values: the headers stay, the files are new
    assertEquals(1, run("zoo", spec.toString(), "--master", "local[2]"), last.err());
    List<ZooResult> third = ZooReportFile.read(root.toString());
    assertEquals(ZooStatus.CONVERTED, status(third, "a", "nf4"));
    assertEquals(ZooStatus.CONVERTED, status(third, "a", "int8"));
    assertEquals(ZooStatus.UP_TO_DATE, status(third, "b", "fp4-dq"));
  }

  @Test
  void aHeldLockStopsTheRunAStaleOneIsTakenOver() throws IOException, InterruptedException {
    Path root = dir.resolve("zoo");
    Files.createDirectories(root);
    Path spec = dir.resolve("one.yaml");
    Files.writeString(spec, "output_root: " + root + "\nmodels:\n  - name: a\n    input: " + model("a-input", 1)
        + "\n    modes: [int8]\n");
    String host = InetAddress.getLocalHost().getHostName();
    Path lock = root.resolve(ZooLock.FILE);
    Files.writeString(lock, "{\"host\": \"" + host + "\", \"pid\": " + ProcessHandle.current().pid() + ", \"started\": "
        + System.currentTimeMillis() + ", \"spec\": \"other.yaml\", \"token\": \"t\"}");
    assertEquals(3, run("zoo", spec.toString(), "--master", "local[2]"));
    assertTrue(last.err().contains("another zoo run holds the lock (pid " + ProcessHandle.current().pid()), last.err());
    assertFalse(Files.exists(root.resolve("a")), "nothing written");

    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(lock, "{\"host\": \"" + host + "\", \"pid\": " + gone.pid() + ", \"started\": "
        + System.currentTimeMillis() + ", \"spec\": \"other.yaml\", \"token\": \"t\"}");
    assertEquals(0, run("zoo", spec.toString(), "--master", "local[2]"), last.err());
    assertTrue(Files.exists(root.resolve("a/int8/_SUCCESS")));
    assertFalse(Files.exists(lock));
  }

  /** A bad spec is a usage error: exit code 2, the spec's own terms on one line, no Spark, no lock. */
  @Test
  void badSpecIsAUsageError() throws IOException {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, "output_root: " + dir + "\nmodels:\n  - name: a\n    input: x\n    blocksise: 64\n");
    assertEquals(2, run("zoo", spec.toString()));
    assertEquals("quarry: error: " + spec + ", line 5: unknown key 'blocksise' in model 'a'; allowed keys: name, input, "
        + "modes, blocksize, all_linear, skip_modules, include_modules, max_shard_size, quant_storage, compute_dtype\n"
        + "Try 'quarry zoo --help'.\n",
        last.err());
    assertFalse(Files.exists(dir.resolve(".quarry-zoo.lock")));
  }
}
