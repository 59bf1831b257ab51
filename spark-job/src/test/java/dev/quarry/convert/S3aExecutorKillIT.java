package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.write.ShardParts;
import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.LocalCluster;
import dev.quarry.testing.OutputTrees;
import dev.quarry.testing.S3ProxyServer;
import dev.quarry.testing.ThrottledFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor JVM killed (SIGKILL) while the executors put the parts of an s3a:// shard, on a real
 * multi-process Spark ({@link LocalCluster}: two executors of one core): Spark reruns the lost part's
 * task elsewhere, whose put replaces whatever the killed one sent of it, the driver completes the
 * upload, and the shard is the bytes of a local conversion, its parts put by both executors. Slow
 * input reads ({@link ThrottledFileSystem}) keep each part's task running for seconds.
 */
class S3aExecutorKillIT {
  private static final String BUCKET = "killed";
  private static final long READ_MILLIS = 150;
  private static final long KILL_AFTER_TASKS = 1;

  @TempDir
  static java.nio.file.Path dir;

  @AutoClose
  private static S3ProxyServer s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.start(dir);
    s3.createBucket(BUCKET);
  }

  @Test
  void aPartLostWithItsExecutorIsPutAgainAndTheShardIsWhole() throws Exception {
    java.nio.file.Path model = S3aPartsIT.model(dir.resolve("model"), false);
    java.nio.file.Path local = dir.resolve("local");
    Path out = new Path("s3a://" + BUCKET + "/int8");
    Map<String, String> properties = new HashMap<>(s3.sparkProperties(s3.secret()));
    properties.put("spark.hadoop." + ShardParts.S3A_PART_SIZE, String.valueOf(ShardParts.MIN_OBJECT_STORE_PART));
    JavaSparkContext sc = LocalCluster.start("S3aExecutorKillIT", 2, dir, properties);
    List<String> log = new CopyOnWriteArrayList<>();
    try {
      ConversionJob.run(sc, ConvertOptions.of(model.toString(), local.toString(), QuantMode.INT8), line -> {});
      AtomicInteger tasksDone = new AtomicInteger();
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onTaskEnd(SparkListenerTaskEnd event) {
          if (event.taskInfo().successful()) {
            tasksDone.incrementAndGet();
          }
        }
      });
      ConvertOptions slow = ConvertOptions.of(ThrottledFileSystem.uri(READ_MILLIS, model), out.toString(), QuantMode.INT8)
          .withBlockBytes(1 << 20);
      CompletableFuture<ConvertSummary> job = CompletableFuture.supplyAsync(() -> {
        try {
          return ConversionJob.run(sc, slow, log::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      while (tasksDone.get() < KILL_AFTER_TASKS && !job.isDone()) {
        Thread.sleep(20);
      }
      List<ProcessHandle> executors = LocalCluster.executors().stream().filter(p -> p.pid() != s3.pid()).toList();
      assertEquals(2, executors.size(), "two executor JVMs");
      assertTrue(executors.get(0).destroyForcibly(), "SIGKILL sent");
      long finishedAtKill = tasksDone.get();
      job.get(300, TimeUnit.SECONDS);
      assertTrue(finishedAtKill < tasksDone.get(), "killed in the middle of the pass: " + finishedAtKill + " of "
          + tasksDone.get() + " tasks");
    } finally {
      LocalCluster.stop(sc);
    }
    FileSystem fs = FileSystems.forPath(out, hadoop(properties));
    OutputTrees.assertIdentical(local, fs, out);
    UploadLog uploads = UploadLog.of(log);
    uploads.assertSeveralPartsPerShard(1);
    assertTrue(uploads.partsByExecutor().size() >= 2, "parts put by one executor only: " + uploads);
  }

  private static org.apache.hadoop.conf.Configuration hadoop(Map<String, String> sparkProperties) {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    sparkProperties.forEach((k, v) -> conf.set(k.substring("spark.hadoop.".length()), v));
    return conf;
  }
}
