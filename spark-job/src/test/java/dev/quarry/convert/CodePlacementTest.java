package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the shard writers compute the codes again, and when the first pass stages them; on how many threads. */
class CodePlacementTest {
  @Test
  void localModeAlwaysRecomputes() {
    assertTrue(CodePlacement.recompute(new long[] {100}, new ClusterShape(2, 0)), "one shard, local[2]: its task's threads use both cores");
    assertTrue(CodePlacement.recompute(new long[] {90, 10}, new ClusterShape(64, 0)));
  }

  @Test
  void shardsAsEvenAsTheExecutorsRecompute() {
    assertTrue(CodePlacement.recompute(new long[] {100}, new ClusterShape(1, 1)), "one single-core executor");
    assertTrue(CodePlacement.recompute(new long[] {50, 50}, new ClusterShape(2, 2)));
    assertTrue(CodePlacement.recompute(new long[] {25, 25, 25, 25}, new ClusterShape(16, 4)), "four 4-core executors, four even shards");
    assertTrue(CodePlacement.recompute(new long[] {90, 10}, new ClusterShape(2, 1)), "one executor writes both shards anyway");
  }

  @Test
  void aShardLongerThanAnEvenShareStages() {
    assertFalse(CodePlacement.recompute(new long[] {100}, new ClusterShape(2, 2)), "one shard on two single-core executors");
    assertFalse(CodePlacement.recompute(new long[] {83, 17}, new ClusterShape(2, 2)), "a 1 GB and a 0.2 GB shard on two executors");
    assertFalse(CodePlacement.recompute(new long[] {40, 30, 30}, new ClusterShape(16, 4)), "one 4-core executor would idle");
  }

  @Test
  void nothingToComputeRecomputesNothing() {
    assertTrue(CodePlacement.recompute(new long[] {0, 0}, new ClusterShape(8, 4)), "only copied tensors");
  }

  @Test
  void shardThreadsUseTheCoresTheShardTasksLeaveIdleOnOneExecutor() {
    assertEquals(2, new ClusterShape(2, 0).threadsPerShard(1), "local[2], one shard: both cores");
    assertEquals(1, new ClusterShape(2, 0).threadsPerShard(2));
    assertEquals(1, new ClusterShape(2, 2).threadsPerShard(1), "a single-core executor: one thread");
    assertEquals(4, new ClusterShape(16, 4).threadsPerShard(2), "never more than an executor's 4 cores");
    assertEquals(1, new ClusterShape(4, 1).threadsPerShard(7));
  }
}
