package dev.quarry.convert;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Progress of the quantize stage while it runs: the tasks add to two accumulators (blocks and
 * input bytes done) that Spark merges on the driver as tasks finish; a daemon thread logs them
 * with the rate and the time left at a fixed interval.
 */
final class ProgressReporter implements AutoCloseable {
  private final LongAccumulator blocksDone;
  private final LongAccumulator bytesDone;
  private final int blocks;
  private final long bytes;
  private final Consumer<String> log;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "quarry-progress");
    t.setDaemon(true);
    return t;
  });

  ProgressReporter(JavaSparkContext sc, int blocks, long bytes, Consumer<String> log, long intervalMillis) {
    this.blocksDone = sc.sc().longAccumulator("quarry blocks done");
    this.bytesDone = sc.sc().longAccumulator("quarry input bytes done");
    this.blocks = blocks;
    this.bytes = bytes;
    this.log = log;
    timer.scheduleAtFixedRate(this::report, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  LongAccumulator blocksDone() {
    return blocksDone;
  }

  LongAccumulator bytesDone() {
    return bytesDone;
  }

  void report() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long done = bytesDone.value();
    double rate = seconds > 0 ? done / seconds : 0;
    String eta = rate > 0 ? String.format(Locale.ROOT, "%.0f s", (bytes - done) / rate) : "?";
    log.accept(String.format(Locale.ROOT, "progress: %d/%d blocks, %.3f/%.3f GB, %.3f GB/s, ETA %s",
        blocksDone.value(), blocks, done / 1e9, bytes / 1e9, rate / 1e9, eta));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
