package dev.quarry.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.cli.Quarry;
import dev.quarry.manifest.Manifest;
import dev.quarry.testing.ChildJvm;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.StagedResults;
import dev.quarry.testing.ThrottledFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver killed (SIGKILL) in the middle of the quantize stage, then the same command run again:
 * it completes, reuses the blocks the killed run finished, and its output is byte-identical to an
 * undisturbed run's, with no temporary file left. The input is read through a slow file system
 * ({@link ThrottledFileSystem}) so that the kill lands while blocks are being quantized.
 */
class DriverKillTest {
  private static final long READ_MILLIS = 250;
  private static final long KILL_AFTER_BLOCKS = 3;
  /** The reference model in 1 MiB blocks: one block per quantized weight. */
  private static final int BLOCKS = 14;

  @TempDir
  Path dir;

  private String[] command(Path output) {
    Path model = ReferenceData.file("tiny-llama/input/config.json").getParent();
    return new String[] {"convert", "--input", ThrottledFileSystem.uri(READ_MILLIS, model), "--output", output.toString(),
        "--mode", "nf4-dq", "--master", "local[2]", "--block-size-mb", "1"};
  }

  /**
   * {@code quarry quantize} killed while it writes its scratch files beside the output: the rerun
   * completes, removes what the killed run left, and writes the same bytes as an undisturbed run.
   */
  @Test
  void quantizeRerunAfterAKillLeavesNoScratchFiles() throws Exception {
    Path shard = ReferenceData.tinyLlamaShard(1);
    Path outDir = Files.createDirectories(dir.resolve("quantized"));
    Path output = outDir.resolve("out.safetensors");
    String[] args = {"quantize", "--mode", "nf4-dq", ThrottledFileSystem.uri(READ_MILLIS, shard), output.toString()};
    Process p = ChildJvm.start(dir.resolve("quantize.log"), Quarry.class.getName(), args);
    try {
      long deadline = System.currentTimeMillis() + 120_000;
      while (FileTrees.names(outDir).isEmpty() && p.isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(READ_MILLIS); // into the first tensor's read
      assertTrue(p.isAlive(), "still quantizing");
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    List<String> left = FileTrees.names(outDir);
    assertTrue(!left.isEmpty() && left.stream().allMatch(n -> n.startsWith(".out.safetensors.")), "scratch files: " + left);

    CliRun cli = new CliRun();
    assertEquals(0, cli.run(args), cli.err());
    assertEquals(List.of("out.safetensors"), FileTrees.names(outDir), "the killed run's scratch files are gone");
    Path undisturbed = dir.resolve("undisturbed.safetensors");
    assertEquals(0, cli.run("quantize", "--mode", "nf4-dq", shard.toString(), undisturbed.toString()), cli.err());
    assertArrayEquals(Files.readAllBytes(undisturbed), Files.readAllBytes(output));
  }

  @Test
  void rerunAfterTheDriverIsKilledReusesFinishedBlocks() throws Exception {
    Path output = dir.resolve("out");
    Process driver = ChildJvm.start(dir.resolve("driver.log"), Quarry.class.getName(), command(output));
    try {
      StagedResults.await(output, KILL_AFTER_BLOCKS, driver, 180_000);
    } finally {
      driver.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      driver.waitFor(30, TimeUnit.SECONDS);
    }
    long finishedBeforeKill = StagedResults.blocks(output);
    assertTrue(finishedBeforeKill < BLOCKS, "killed in the middle of the stage: " + finishedBeforeKill + " of " + BLOCKS);
    assertFalse(Files.exists(output.resolve("_SUCCESS")));

    CliRun cli = new CliRun();
    assertEquals(0, cli.run(command(output)), cli.err());
    Matcher reused = Pattern.compile("reusing (\\d+) block result").matcher(cli.out());
    assertTrue(reused.find(), cli.out());
    assertTrue(Integer.parseInt(reused.group(1)) >= finishedBeforeKill, cli.out());
    assertEquals(List.of("_SUCCESS", "config.json", "generation_config.json", "model.safetensors", Manifest.FILE_NAME), FileTrees.paths(output),
        "no staging or temporary file left");

    Path undisturbed = dir.resolve("undisturbed");
    assertEquals(0, cli.run(command(undisturbed)), cli.err());
    assertFalse(cli.out().contains("reusing"), cli.out());
    assertEquals(FileTrees.snapshot(undisturbed), FileTrees.snapshot(output), "byte-identical to the undisturbed run");
  }
}
