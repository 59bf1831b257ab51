package dev.quarry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts the block results a conversion committed in its staging area ({@code <out>/_staging/<key>/block-*.result}). */
public final class StagedResults {
  private StagedResults() {}

  public static long blocks(Path output) throws IOException {
    Path staging = output.resolve("_staging");
    if (!Files.isDirectory(staging)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(staging)) {
      return s.filter(p -> p.getFileName().toString().matches("block-\\d{7}\\.result")).count();
    } catch (java.io.UncheckedIOException e) {
      return 0; // a file vanished while listing: the run is moving on
    }
  }

  /** Waits until {@code output} holds at least {@code count} block results; fails if {@code process} ends first. */
  public static void await(Path output, long count, Process process, long timeoutMillis) throws IOException,
      InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (blocks(output) < count) {
      if (process != null && !process.isAlive()) {
        throw new AssertionError("the process ended (exit " + process.exitValue() + ") before " + count + " blocks");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no " + count + " finished blocks in " + timeoutMillis + " ms");
      }
      Thread.sleep(20);
    }
  }
}
