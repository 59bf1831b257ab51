package dev.quarry.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import dev.quarry.manifest.Manifest;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.LocalCluster;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.StagedResults;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor JVM killed (SIGKILL) in the middle of the quantize stage on a real multi-process
 * Spark ({@link LocalCluster}: two executor JVMs): Spark reruns the lost tasks, the job finishes,
 * and every output file is byte-identical to what transformers + bitsandbytes saved on a GPU
 * ({@code hf-nf4}), the judge of an undisturbed run. Slow input reads ({@link ThrottledFileSystem})
 * keep the stage running long enough to kill in its middle.
 */
class ExecutorKillTest {
  private static final long READ_MILLIS = 300;
  private static final long KILL_AFTER_BLOCKS = 3;

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
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
          removed.incrementAndGet();
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
      StagedResults.await(output, KILL_AFTER_BLOCKS, null, 240_000);
      List<ProcessHandle> executors = LocalCluster.executors();
      assertEquals(2, executors.size(), "two executor JVMs");
      assertTrue(executors.get(0).destroyForcibly(), "SIGKILL sent");
      long finishedAtKill = StagedResults.blocks(output);
      ConvertSummary summary = job.get(300, TimeUnit.SECONDS);
      assertTrue(finishedAtKill < summary.blocks(), "killed in the middle: " + finishedAtKill + " of " + summary.blocks());
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
