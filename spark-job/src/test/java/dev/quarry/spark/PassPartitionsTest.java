package dev.quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many tasks the passes over the blocks get by default. */
class PassPartitionsTest {
  private static final long MIB = 1L << 20;

  @Test
  void aLargeInputOnFewCoresGetsTasksOfAtMost256MiB() {
    // the 7B benchmark model: 416 blocks of ~32 MiB, 13,476,865,048 bytes -> ceil(/ 256 MiB) = 51 tasks of ~8 blocks
    assertEquals(51, PassPartitions.of(416, 13_476_865_048L, 2));
    assertEquals(51, PassPartitions.of(416, 13_476_865_048L, 1));
  }

  @Test
  void manyCoresGetFourTasksEachUpToOneBlockPerTask() {
    assertEquals(4 * 40, PassPartitions.of(416, 416 * 32 * MIB, 40), "4 per core beat 52 tasks of 256 MiB");
    assertEquals(416, PassPartitions.of(416, 416 * 32 * MIB, 1000), "no task without a block");
  }

  @Test
  void aSmallInputStillSpreadsOverTheCores() {
    assertEquals(8, PassPartitions.of(12, 12 * MIB, 2), "12 one-MiB blocks on 2 cores: 4 tasks per core");
    assertEquals(3, PassPartitions.of(3, 3 * MIB, 2));
    assertEquals(1, PassPartitions.of(0, 0, 2), "nothing to quantize is still one (empty) task");
  }
}
