package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.CliRun;
import dev.quarry.testing.FailingFileSystem;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.SmallModels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output file system failing in the middle of the write (a disk that is full after N bytes,
 * {@link FailingFileSystem}): one clear error line naming the file, exit code 2, nothing committed,
 * the input untouched. N is taken at several points of what a successful run writes, so the failure
 * hits the staged blocks, the shards and, last, the _SUCCESS marker.
 */
class FailingOutputTest {
  private static final double[] FAIL_AT = {0, 0.25, 0.6, 0.95};

  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  /** Bytes written so far through the failing file system of {@code uri}'s authority. */
  private static long written(String uri) throws IOException {
    return ((FailingFileSystem) FileSystem.get(URI.create(uri), new Configuration())).written();
  }

  @Test
  void convertLeavesNoOutput() throws IOException {
    Path model = SmallModels.sharded(dir.resolve("model"), 3);
    Map<String, String> input = FileTrees.snapshot(model);
    String probe = FailingFileSystem.uri("convert-probe", Long.MAX_VALUE, dir.resolve("probe"));
    assertEquals(0, convert(model, probe), cli.err());
    long total = written(probe);
    assertTrue(Files.isRegularFile(dir.resolve("probe/_SUCCESS")));
    for (double f : FAIL_AT) {
      long budget = (long) (total * f);
      Path local = dir.resolve("out-" + budget);
      assertEquals(2, convert(model, FailingFileSystem.uri("convert-" + f, budget, local)), () -> "budget " + budget);
      assertOneLine("cannot write: No space left on device");
      assertFalse(Files.exists(local), () -> "budget " + budget + ": the run created the directory, the failure removes it");
      assertEquals(input, FileTrees.snapshot(model), "input untouched");
    }
  }

  private int convert(Path model, String output) {
    return cli.run("convert", "--input", model.toString(), "--output", output, "--mode", "nf4-dq", "--master", "local[2]",
        "--max-shard-size", "2KB");
  }

  @Test
  void quantizeLeavesNoOutput() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 3);
    Path in = model.resolve("model.safetensors");
    Map<String, String> input = FileTrees.snapshot(model);
    String probe = FailingFileSystem.uri("quantize-probe", Long.MAX_VALUE, dir.resolve("probe.safetensors"));
    assertEquals(0, cli.run("quantize", "--mode", "int8", in.toString(), probe), cli.err());
    long total = written(probe);
    Files.delete(dir.resolve("probe.safetensors"));
    for (double f : FAIL_AT) {
      long budget = (long) (total * f);
      String output = FailingFileSystem.uri("quantize-" + f, budget, dir.resolve("out.safetensors"));
      assertEquals(2, cli.run("quantize", "--mode", "int8", in.toString(), output), () -> "budget " + budget);
      assertOneLine("cannot write: No space left on device");
      assertEquals(List.of("model"), FileTrees.names(dir), "no output, no temporary or staging file");
      assertEquals(input, FileTrees.snapshot(model), "input untouched");
    }
  }

  private void assertOneLine(String phrase) {
    String e = cli.err();
    assertEquals(1, e.lines().count(), e);
    assertTrue(e.startsWith("quarry: error: " + FailingFileSystem.SCHEME + "://") && e.contains(phrase), e);
  }
}
