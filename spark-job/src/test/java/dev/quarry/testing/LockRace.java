package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.fs.FileSystems;
import dev.quarry.zoo.ZooLock;
import dev.quarry.zoo.ZooLockedException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.Path;

/**
 * Two zoo runs racing for the lock of one output root, round after round: both start their
 * {@link ZooLock#acquire} at the same moment, and each round exactly one must get the lock and the
 * other be told it is locked. The winner holds the lock until the loser has tried. With a stale
 * lock (of a process that no longer runs) in place at the start of each round, both race to take
 * it over.
 */
public final class LockRace {
  private LockRace() {}

  public static void race(String root, int rounds) throws Exception {
    race(root, rounds, false);
  }

  public static void raceForAStaleLock(String root, int rounds) throws Exception {
    race(root, rounds, true);
  }

  private static void race(String root, int rounds, boolean staleFirst) throws Exception {
    ExecutorService runs = Executors.newFixedThreadPool(2);
    long deadPid = deadPid();
    try {
      for (int round = 0; round < rounds; round++) {
        if (staleFirst) {
          Path lock = new Path(root, ZooLock.FILE);
          try (OutputStream out = FileSystems.forPath(lock).create(lock, true)) {
            out.write(("{\"host\": \"" + InetAddress.getLocalHost().getHostName() + "\", \"pid\": " + deadPid
                + ", \"started\": " + System.currentTimeMillis() + ", \"spec\": \"dead.yaml\", \"token\": \"dead-" + round
                + "\"}").getBytes(StandardCharsets.UTF_8));
          }
        }
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

  private static long deadPid() throws IOException, InterruptedException {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    return gone.pid();
  }
}
