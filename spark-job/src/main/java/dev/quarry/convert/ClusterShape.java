package dev.quarry.convert;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * The cores and executors of the running application, as the driver sees them: Spark's default
 * parallelism (all cores) and the registered executors less the driver's own entry (none in local
 * mode, where the driver runs the tasks on all cores).
 */
record ClusterShape(int totalCores, int executors) {
  static ClusterShape of(JavaSparkContext sc) {
    return new ClusterShape(sc.defaultParallelism(), sc.statusTracker().getExecutorInfos().length - 1);
  }

  /** The cores one executor runs tasks on (an even split; all of them in local mode). */
  int coresPerExecutor() {
    return Math.max(1, totalCores / Math.max(1, executors));
  }

  /**
   * Threads each of {@code shards} shard tasks may compute on: the cores the shard tasks leave idle
   * (one shard: all), never more than one executor has.
   */
  int threadsPerShard(int shards) {
    return Math.max(1, Math.min(coresPerExecutor(), totalCores / Math.max(1, shards)));
  }
}
