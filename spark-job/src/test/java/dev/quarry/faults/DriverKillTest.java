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
import dev.quarry.testing.OutputFiles;
import dev.quarry.testing.ThrottledFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver killed (SIGKILL) in the middle of the quantize-and-write pass, then the same command
 * run again: it completes, and its output is byte-identical to an undisturbed run's, with no
 * temporary file left. The input is read through a slow file system
 * ({@link ThrottledFileSystem}) so that the kill lands while blocks are being quantized.
 */
class DriverKillTest {
  private static final long READ_MILLIS = 250;
  /** Throttled reads to wait after the pass starts before the kill. */
  private static final long KILL_AFTER_READS = 4;

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

  /**
   * Killed while the quantize-and-write pass writes the shard in place: the shard is not complete,
   * so it has no completion record; the rerun removes it, converts it again, and its output is
   * byte-identical to an undisturbed run's ({@link ResumeAfterDriverKillTest}: shards completed before the kill are kept).
   */
  @Test
  void rerunAfterTheDriverIsKilledMidWriteGivesTheSameBytes() throws Exception {
    Path output = dir.resolve("out");
    Process driver = ChildJvm.start(dir.resolve("driver.log"), Quarry.class.getName(), command(output));
    try {
      OutputFiles.await(output.resolve("model.safetensors"), driver, 180_000);
      Thread.sleep(KILL_AFTER_READS * READ_MILLIS); // a few blocks into the pass
      assertTrue(driver.isAlive(), "still writing");
    } finally {
      driver.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      driver.waitFor(30, TimeUnit.SECONDS);
    }
    assertFalse(Files.exists(output.resolve("_SUCCESS")), "killed before the commit");
    assertTrue(Files.exists(output.resolve("model.safetensors")), "a partial shard left in place");

    CliRun cli = new CliRun();
    assertEquals(0, cli.run(command(output)), cli.err());
    assertEquals(List.of("_SUCCESS", "config.json", "generation_config.json", "model.safetensors", Manifest.FILE_NAME), FileTrees.paths(output),
        "no staging or temporary file left");

    Path undisturbed = dir.resolve("undisturbed");
    assertEquals(0, cli.run(command(undisturbed)), cli.err());
    assertEquals(FileTrees.snapshot(undisturbed), FileTrees.snapshot(output), "byte-identical to the undisturbed run");
  }
}
