package dev.quarry.spark;

import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Waits for the tasks a failed job leaves running. When one task fails, Spark aborts the job but
 * lets the other running tasks finish, and they go on writing their output files: cleaning up the
 * output before they stop would let them recreate it.
 */
public final class RunningTasks {
  /** How long a failed run waits for the tasks still running before it removes its output. */
  public static final long ABANDON_WAIT_MILLIS = 60_000;
  private static final long POLL_MILLIS = 100;

  private RunningTasks() {}

  /**
   * Returns when no executor has run a task for two polls in a row (the counts come from Spark's
   * listener bus, a little behind), or after {@code timeoutMillis}.
   */
  public static void awaitNone(JavaSparkContext sc, long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    int idlePolls = 0;
    while (idlePolls < 2 && System.currentTimeMillis() < deadline) {
      idlePolls = running(sc) == 0 ? idlePolls + 1 : 0;
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static int running(JavaSparkContext sc) {
    int n = 0;
    for (SparkExecutorInfo e : sc.statusTracker().getExecutorInfos()) {
      n += e.numRunningTasks();
    }
    return n;
  }
}
