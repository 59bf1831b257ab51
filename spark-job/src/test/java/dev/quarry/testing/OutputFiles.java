package dev.quarry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Waits for a conversion to reach a point that shows in its output directory. */
public final class OutputFiles {
  private OutputFiles() {}

  /**
   * Waits until {@code file} exists (e.g. a shard: the driver creates the shards when the
   * quantize-and-write pass starts); fails if {@code process} ends first.
   */
  public static void await(Path file, Process process, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!Files.exists(file)) {
      if (process != null && !process.isAlive()) {
        throw new AssertionError("the process ended (exit " + process.exitValue() + ") before " + file + " appeared");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(file + " did not appear in " + timeoutMillis + " ms");
      }
      Thread.sleep(20);
    }
  }
}
