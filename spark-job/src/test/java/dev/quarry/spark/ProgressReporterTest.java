package dev.quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.ByteUnits;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.plan.Planner;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Progress counted from Spark's own task-end events of a real local job over the blocks of a real
 * plan: several blocks a partition, partitions finishing in any order, a task that fails once and
 * is retried counted once; the figures are checked against the plan (tensors, blocks, bytes).
 */
class ProgressReporterTest {
  /** Tasks run in this JVM (local mode): a static flag is seen by every attempt. */
  private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    // local[2, 2]: two threads, a task may fail once (local mode ignores spark.task.maxFailures)
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("progress")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.close();
  }

  @Test
  void everyBlockTensorAndByteIsCountedOnceWhenTheStageEnds() throws IOException, InterruptedException {
    Path reference = ReferenceData.file("tiny-llama/input/config.json").getParent();
    ConversionPlan plan = Planner.plan(ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(reference)),
        ConvertOptions.of(reference.toString(), "unused", QuantMode.NF4).withBlockBytes(16 << 10));
    int partitions = 7;
    assertTrue(plan.blocks().size() > 3 * partitions, "several blocks a partition");
    List<String> lines = new ArrayList<>();
    try (ProgressReporter progress = new ProgressReporter(sc, "scan", plan.tensors().size(), plan.blocks(), partitions, line -> {
      synchronized (lines) {
        lines.add(line);
      }
    }, 3_600_000)) {
      sc.parallelize(plan.blocks(), partitions).foreachPartition(it -> {
        // the first attempt of one partition fails: Spark retries it, progress must count it once
        if (it.hasNext() && it.next().blockId() == 0 && !FAILED_ONCE.getAndSet(true)) {
          throw new IllegalStateException("first attempt");
        }
      });
      String expected = String.format(Locale.ROOT, "progress (scan): %d/%d tensors, %d/%d blocks, %s/%s,",
          plan.tensors().stream().filter(t -> t.blockCount() > 0).count(),
          plan.tensors().stream().filter(t -> t.blockCount() > 0).count(),
          plan.blocks().size(), plan.blocks().size(), ByteUnits.size(plan.blockBytes()), ByteUnits.size(plan.blockBytes()));
      // task-end events reach listeners asynchronously: wait for the last one, then check once more
      String last = "";
      for (long deadline = System.nanoTime() + 30_000_000_000L; System.nanoTime() < deadline; Thread.sleep(50)) {
        progress.report();
        synchronized (lines) {
          last = lines.get(lines.size() - 1);
        }
        if (last.startsWith(expected)) {
          break;
        }
      }
      assertTrue(last.startsWith(expected), "expected '" + expected + "...', last report: " + last);
      // the tiny model's megabyte or so shows as KB or MB per second, not as 0.000 GB/s
      assertTrue(last.matches(".*, [1-9][0-9.]* [KM]B/s, ETA .*"), "a rate with a unit that shows it: " + last);
      assertTrue(FAILED_ONCE.get(), "a first attempt failed and was retried");
      Thread.sleep(500);
      progress.report();
      synchronized (lines) {
        assertTrue(lines.get(lines.size() - 1).startsWith(expected), "nothing counted twice: " + lines.get(lines.size() - 1));
      }
    }
  }
}
