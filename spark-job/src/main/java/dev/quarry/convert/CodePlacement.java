package dev.quarry.convert;

/**
 * Whether the first pass stages each block's codes for the shard writers to copy, or keeps only
 * their CRC32C and lets the shard writers compute them again. Computing again saves writing and
 * deleting the codes once (three quarters or more of the output), but puts the quantization of a
 * whole shard on the cores of the one executor that writes it. It pays when that does not lengthen
 * the run: when the largest shard's share of the work, on one executor's cores, takes no longer
 * than the whole work spread over every core — always in local mode (one executor: the driver),
 * and on a cluster when the shards are about as many and as even as the executors. Otherwise
 * (one big shard on a cluster of many executors) the codes are staged so every executor shares
 * the quantization.
 */
final class CodePlacement {
  private CodePlacement() {}

  /**
   * @param inputByShard input bytes of the blocks whose codes each shard holds
   * @return true to recompute the codes in the shard writers, false to stage them
   */
  static boolean recompute(long[] inputByShard, ClusterShape cluster) {
    long total = 0;
    long largest = 0;
    for (long bytes : inputByShard) {
      total += bytes;
      largest = Math.max(largest, bytes);
    }
    // largest / coresPerExecutor <= total / totalCores, without division
    return largest * (double) cluster.totalCores() <= total * (double) cluster.coresPerExecutor();
  }

  /** For a layout planned from sizes ({@link PlannedResults}). */
  static boolean recompute(OutputLayout planned, ClusterShape cluster) {
    long[] inputByShard = planned.shards().stream()
        .mapToLong(s -> s.tensors().stream().flatMap(t -> t.pieces().stream())
            .filter(p -> p.block() != null).mapToLong(p -> p.block().inputBytes()).sum())
        .toArray();
    return recompute(inputByShard, cluster);
  }
}
