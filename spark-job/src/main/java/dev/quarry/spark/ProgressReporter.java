package dev.quarry.spark;

import dev.quarry.ByteUnits;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of a pass over the blocks while it runs: tensors, blocks and input bytes done, the rate and
 * the time left, logged at a fixed interval. It listens to Spark's task-end events on the driver, so
 * executors report nothing extra: a finished partition of {@code sc.parallelize(blocks, p)} is a
 * known, contiguous run of blocks. A retried or speculative duplicate counts once.
 */
public final class ProgressReporter extends SparkListener implements AutoCloseable {
  /** How often the progress of a pass is logged. */
  public static final long INTERVAL_MILLIS = 5_000;

  private final JavaSparkContext sc;
  private final String pass;
  private final List<? extends ProgressItem> blocks;
  private final int partitions;
  private final long totalBytes;
  private final int tensors;
  private final Consumer<String> log;
  /** Blocks not yet done, per tensor id; a tensor is done when its count reaches zero. */
  private final int[] blocksLeft;
  private final BitSet partitionsDone = new BitSet();
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "quarry-progress");
    t.setDaemon(true);
    return t;
  });
  private int blocksDone;
  private int tensorsDone;
  private long bytesDone;
  private Integer stageId;

  /**
   * @param pass   the name of the pass, for the log
   * @param blocks the units of the pass, in the order they are parallelized over {@code partitions}
   */
  public ProgressReporter(JavaSparkContext sc, String pass, int tensorCount, List<? extends ProgressItem> blocks, int partitions,
      Consumer<String> log, long intervalMillis) {
    this.sc = sc;
    this.pass = pass;
    this.blocks = List.copyOf(blocks);
    this.partitions = partitions;
    this.totalBytes = blocks.stream().mapToLong(ProgressItem::inputBytes).sum();
    this.log = log;
    this.blocksLeft = new int[tensorCount];
    for (ProgressItem b : blocks) {
      blocksLeft[b.tensorId()]++;
    }
    int withBlocks = 0;
    for (int left : blocksLeft) {
      withBlocks += left > 0 ? 1 : 0;
    }
    this.tensors = withBlocks;
    sc.sc().addSparkListener(this);
    timer.scheduleAtFixedRate(this::report, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** The first stage to finish a task after construction is the pass's: it is the only one running. */
  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    if (!end.taskInfo().successful()) {
      return;
    }
    if (stageId == null) {
      stageId = end.stageId();
    }
    int partition = end.taskInfo().index();
    if (end.stageId() != stageId || partitionsDone.get(partition)) {
      return;
    }
    partitionsDone.set(partition);
    // ParallelCollectionRDD slices a list of n into p runs [i*n/p, (i+1)*n/p).
    int n = blocks.size();
    for (int b = (int) ((long) partition * n / partitions); b < (int) ((long) (partition + 1) * n / partitions); b++) {
      ProgressItem block = blocks.get(b);
      blocksDone++;
      bytesDone += block.inputBytes();
      if (--blocksLeft[block.tensorId()] == 0) {
        tensorsDone++;
      }
    }
  }

  synchronized void report() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = seconds > 0 ? bytesDone / seconds : 0;
    String eta = rate > 0 ? String.format(Locale.ROOT, "%.0f s", (totalBytes - bytesDone) / rate) : "?";
    log.accept(String.format(Locale.ROOT, "progress (%s): %d/%d tensors, %d/%d blocks, %s/%s, %s, ETA %s",
        pass, tensorsDone, tensors, blocksDone, blocks.size(), ByteUnits.size(bytesDone), ByteUnits.size(totalBytes),
        ByteUnits.rate(bytesDone, seconds), eta));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    sc.sc().removeSparkListener(this);
  }
}
