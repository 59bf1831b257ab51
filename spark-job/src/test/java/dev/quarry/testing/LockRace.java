package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.zoo.ZooLock;
import dev.quarry.zoo.ZooLockedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two zoo runs racing for the lock of one output root, round after round: both start their
 * {@link ZooLock#acquire} at the same moment, and each round exactly one must get the lock and the
 * other be told it is locked. The winner holds the lock until the loser has tried.
 */
public final class LockRace {
  private LockRace() {}

  public static void race(String root, int rounds) throws Exception {
    ExecutorService runs = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < rounds; round++) {
        CyclicBarrier start = new CyclicBarrier(2);
        CyclicBarrier tried = new CyclicBarrier(2);
        AtomicInteger winners = new AtomicInteger();
        List<Future<String>> results = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
          String spec = "run-" + run + ".yaml";
          results.add(runs.submit(() -> {
            start.await();
            try (ZooLock lock = ZooLock.acquire(root, spec, Duration.ofHours(1))) {
              winners.incrementAndGet();
              tried.await();
              return "locked";
            } catch (ZooLockedException e) {
              tried.await();
              return "refused";
            } catch (IOException e) {
              tried.await();
              throw e;
            }
          }));
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<String> f : results) {
          outcomes.add(f.get());
        }
        assertEquals(1, winners.get(), "round " + round + ": " + outcomes);
      }
    } finally {
      runs.shutdownNow();
    }
  }
}
