package dev.quarry.spark;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * The cores and executors of the running application, as the driver's scheduler sees them: Spark's
 * default parallelism (the cores it has registered) and the executors it has registered (none in
 * local mode, where the driver runs the tasks on all cores).
 */
public record ClusterShape(int totalCores, int executors) {
  /**
   * Counts the executors in the scheduler backend's own registry, the one that counts the cores
   * ({@code SparkContext.getExecutorIds}: Scala-private to Spark, public in its bytecode). The public
   * views lag behind it: the status tracker is fed by the listener bus, and on a busy two-core machine
   * it once listed one executor of two; block managers register later still, after their executor
   * has started.
   */
  public static ClusterShape of(JavaSparkContext sc) {
    int executors = sc.isLocal() ? 0 : sc.sc().getExecutorIds().size();
    return new ClusterShape(sc.defaultParallelism(), executors);
  }

  @Override
  public String toString() {
    return executors == 0 ? "local mode, " + totalCores + " cores"
        : executors + " executor(s), " + totalCores + " cores";
  }
}
