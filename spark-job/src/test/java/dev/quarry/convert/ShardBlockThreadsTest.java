package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shard writers of one JVM share its block threads; a writer that is done leaves its share to the others. */
class ShardBlockThreadsTest {
  @Test
  void eachWriterKeepsItsShareOfTheThreadsAndOneMoreInFlight() {
    ShardBlockThreads first = ShardBlockThreads.join(4);
    assertEquals(5, first.window(), "alone: all 4 threads and the block being written");
    ShardBlockThreads second = ShardBlockThreads.join(4);
    assertEquals(3, first.window(), "two writers: 2 threads each");
    assertEquals(3, second.window());
    second.leave();
    assertEquals(5, first.window(), "the other writer is done: its threads are this one's");
    first.leave();
  }

  @Test
  void theLastWriterComputesOnEveryThread() throws Exception {
    ShardBlockThreads small = ShardBlockThreads.join(2);
    ShardBlockThreads big = ShardBlockThreads.join(2);
    small.leave();
    // two blocks that can only finish while both run at once: one thread per writer would never finish them
    CountDownLatch bothRunning = new CountDownLatch(2);
    List<Future<Boolean>> blocks = new ArrayList<>();
    for (int i = 0; i < big.window() - 1; i++) {
      blocks.add(big.submit(() -> {
        bothRunning.countDown();
        return bothRunning.await(20, TimeUnit.SECONDS);
      }));
    }
    for (Future<Boolean> b : blocks) {
      assertTrue(b.get(30, TimeUnit.SECONDS), "the two blocks of the last writer ran at the same time");
    }
    big.leave();
  }
}
