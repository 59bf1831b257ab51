package dev.quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.LocalCluster;
import dev.quarry.testing.SparkTestContext;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.SparkFirehoseListener;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shape counts the executors the scheduler has registered even while Spark's listener bus is
 * behind: on a real multi-process Spark ({@link LocalCluster}), a listener that holds the status
 * queue keeps the status tracker from hearing of the executors, as a busy machine did in CI.
 */
class ClusterShapeTest {
  private static final long REGISTER_MILLIS = 240_000;

  @TempDir
  Path dir;

  @Test
  void countsRegisteredExecutorsWhileTheListenerBusLags() throws Exception {
    JavaSparkContext sc = LocalCluster.start("ClusterShapeTest", 2, dir);
    CountDownLatch release = new CountDownLatch(1);
    try {
      // the status queue runs its listeners in turn on one thread: the status tracker's listener
      // handles at most the next event, then waits behind this one
      sc.sc().listenerBus().addToStatusQueue(new SparkFirehoseListener() {
        @Override
        public void onEvent(SparkListenerEvent event) {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      long deadline = System.currentTimeMillis() + REGISTER_MILLIS;
      while (sc.sc().getExecutorIds().size() < 2) {
        assertTrue(System.currentTimeMillis() < deadline, "2 executors did not register in " + REGISTER_MILLIS + " ms");
        Thread.sleep(50);
      }
      int listed = sc.statusTracker().getExecutorInfos().length;
      assertTrue(listed < 3, "the status tracker lags (it lists the driver and " + (listed - 1) + " executor(s))");

      ClusterShape shape = ClusterShape.of(sc);

      assertEquals(new ClusterShape(2, 2), shape);
    } finally {
      release.countDown();
      LocalCluster.stop(sc);
    }
  }

  @Test
  void localModeHasNoExecutorsButTheDriver() {
    JavaSparkContext sc = SparkTestContext.start("ClusterShapeTest");
    try {
      assertEquals(new ClusterShape(2, 0), ClusterShape.of(sc), "local[2]");
    } finally {
      sc.stop();
    }
  }
}
