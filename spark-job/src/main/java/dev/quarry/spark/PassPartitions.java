package dev.quarry.spark;

/**
 * How many Spark tasks each pass over the blocks gets when the user does not say ({@code --partitions}).
 * A Spark task costs its executor time beyond its work (deserializing it, reporting its result), and
 * many tasks make the executor's JIT compile Spark's task path as well: a 1-core executor converting
 * 4.6 GB as 130 tasks (one per 32 MiB block) spent 4.3 s outside their run time and 10.7 s of C2 CPU;
 * as 8 tasks, its C2 took 7.2 s and the pass ran 15.4 s instead of 19-22 s. So a task takes a run of
 * blocks, while a few tasks per core keep the cores evenly busy to the end.
 */
public final class PassPartitions {
  /** Tasks per core, so that one slow task does not hold the others up. */
  static final int TASKS_PER_CORE = 4;
  /** Input per task at most: a retried task or a step of the progress report stays small. */
  static final long TASK_BYTES = 256L << 20;

  private PassPartitions() {}

  /** A pass over blocks: a few tasks per core, of at most {@link #TASK_BYTES} of input each, one block at least. */
  public static int of(int blocks, long inputBytes, int cores) {
    long bySize = (inputBytes + TASK_BYTES - 1) / TASK_BYTES;
    return (int) Math.max(1, Math.min(blocks, Math.max((long) TASKS_PER_CORE * cores, bySize)));
  }
}
