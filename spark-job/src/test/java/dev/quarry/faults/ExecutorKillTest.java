package dev.quarry.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import dev.quarry.manifest.Manifest;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.LocalCluster;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.ThrottledFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor JVM killed (SIGKILL) in the middle of the quantize-and-write pass on a real multi-process
 * Spark ({@link LocalCluster}: two executor JVMs): Spark reruns the lost tasks, the job finishes,
 * and every output file is byte-identical to what transformers + bitsandbytes saved on a GPU
 * ({@code hf-nf4}), the judge of an undisturbed run. Slow input reads ({@link ThrottledFileSystem})
 * keep the stage running long enough to kill in its middle.
 */
class ExecutorKillTest {
  private static final long READ_MILLIS = 300;
  /** Tasks of the quantize-and-write pass (a few blocks each) done before the kill. */
  private static final long KILL_AFTER_TASKS = 3;

  @TempDir
  Path dir;

  @Test
  void theJobSurvivesALostExecutorWithTheSameBytes() throws Exception {
    Path model = ReferenceData.file("tiny-llama/input/config.json").getParent();
    Path reference = ReferenceData.file("tiny-llama/hf-nf4/model.safetensors").getParent();
    Path output = dir.resolve("out");
    ConvertOptions options = ConvertOptions.of(ThrottledFileSystem.uri(READ_MILLIS, model), output.toString(), QuantMode.NF4)
        .withBlockBytes(128 << 10);
    JavaSparkContext sc = LocalCluster.start("ExecutorKillTest", 2, dir);
    try {
      AtomicInteger removed = new AtomicInteger();
      AtomicInteger tasksDone = new AtomicInteger();
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
          removed.incrementAndGet();
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd event) {
          if (event.taskInfo().successful()) {
            tasksDone.incrementAndGet();
          }
        }
      });
      CompletableFuture<ConvertSummary> job = CompletableFuture.supplyAsync(() -> {
        try {
          return ConversionJob.run(sc, options, line -> {});
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      LocalCluster.awaitExecutors(sc, 2, 240_000);
      while (tasksDone.get() < KILL_AFTER_TASKS && !job.isDone()) {
        Thread.sleep(20);
      }
      List<ProcessHandle> executors = LocalCluster.executors();
      assertEquals(2, executors.size(), "two executor JVMs");
      assertTrue(executors.get(0).destroyForcibly(), "SIGKILL sent");
      long finishedAtKill = tasksDone.get();
      job.get(300, TimeUnit.SECONDS);
      assertTrue(finishedAtKill < tasksDone.get() && Files.exists(output.resolve("model.safetensors")),
          "killed in the middle of the pass: " + finishedAtKill + " of " + tasksDone.get() + " tasks");
      assertTrue(removed.get() >= 1, "Spark saw the executor go");
    } finally {
      LocalCluster.stop(sc);
    }
    assertEquals(List.of("_SUCCESS", "config.json", "generation_config.json", "model.safetensors", Manifest.FILE_NAME),
        FileTrees.paths(output));
    for (String f : List.of("model.safetensors", "config.json", "generation_config.json")) {
      assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(output.resolve(f)), f);
    }
    assertFalse(Files.exists(output.resolve("_staging")));
  }
}
