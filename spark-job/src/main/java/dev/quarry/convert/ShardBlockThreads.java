package dev.quarry.convert;

import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads one JVM (an executor, or the whole application in local mode) computes shard blocks on,
 * shared by the shard tasks it runs at once: when one shard is written, its threads go to the shards
 * still being written. (int8 of a 7B model is a 5 GB shard and a 1.7 GB one: with a thread pool per
 * shard, the big one computed alone on half the cores for the last two thirds of the phase.) The
 * blocks come off one queue in the order the writers asked for them.
 */
final class ShardBlockThreads {
  /** Idle threads end after this long; the next shard phase starts them again. */
  private static final long IDLE_SECONDS = 30;
  private static ShardBlockThreads shared;

  private final ThreadPoolExecutor pool;
  private int writers;

  private ShardBlockThreads(int threads) {
    pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "quarry-shard-block");
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * The JVM's threads for one more writer, {@code threads} of them (the executor's cores): the number
   * the first writer of a phase asks for, as later ones ask the same until all have left.
   */
  static synchronized ShardBlockThreads join(int threads) {
    if (shared == null) {
      shared = new ShardBlockThreads(threads);
    } else if (shared.writers == 0) {
      shared.resize(threads);
    }
    shared.writers++;
    return shared;
  }

  /** Called once by each writer that joined, when it is done (or failed). */
  void leave() {
    synchronized (ShardBlockThreads.class) {
      writers--;
    }
  }

  /**
   * How many blocks a writer keeps in flight: its share of the threads and one more, for the block
   * it writes while the next are computed. The blocks held stay near threads + writers.
   */
  int window() {
    synchronized (ShardBlockThreads.class) {
      return pool.getMaximumPoolSize() / Math.max(1, writers) + 1;
    }
  }

  <T> Future<T> submit(Callable<T> work) {
    return pool.submit(work);
  }

  private void resize(int threads) {
    if (threads > pool.getMaximumPoolSize()) {
      pool.setMaximumPoolSize(threads);
      pool.setCorePoolSize(threads);
    } else {
      pool.setCorePoolSize(threads);
      pool.setMaximumPoolSize(threads);
    }
  }
}
