package dev.quarry.zoo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.fs.FileSystems;
import dev.quarry.testing.LockRace;
import dev.quarry.testing.S3ProxyServer;
import dev.quarry.testing.SparkTestContext;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zoo lock on s3a:// against a real S3 server (S3Proxy, which answers a PUT with
 * {@code If-None-Match: *} on an existing key with 412): two racing runs, one gets it (or takes
 * over a stale lock) every time;
 * with S3A's conditional writes switched off the lock is refused, not taken by a check-then-write.
 */
class ZooLockS3IT {
  private static final String BUCKET = "zoos";

  @TempDir
  static java.nio.file.Path dir;

  @AutoClose
  private static S3ProxyServer s3;

  @BeforeAll
  static void startServer() throws Exception {
    s3 = S3ProxyServer.start(dir);
    s3.createBucket(BUCKET);
  }

  @Test
  void exactlyOneOfTwoRacingRunsTakesTheLockOrTakesOverAStaleOneOnS3() throws Exception {
    JavaSparkContext sc = SparkTestContext.start("ZooLockS3IT", s3.sparkProperties(s3.secret()));
    try {
      LockRace.race("s3a://" + BUCKET + "/race", 30);
      LockRace.raceForAStaleLock("s3a://" + BUCKET + "/stale", 15);
    } finally {
      sc.stop();
    }
  }

  @Test
  void withoutConditionalWritesTheLockIsRefusedNotTakenByCheckThenWrite() throws IOException {
    Map<String, String> properties = s3.sparkProperties(s3.secret());
    properties.put("spark.hadoop.fs.s3a.create.conditional.enabled", "false");
    properties.put("spark.hadoop.fs.s3a.impl.disable.cache", "true"); // a file system with this setting, not a cached one
    JavaSparkContext sc = SparkTestContext.start("ZooLockS3IT-unconditional", properties);
    try {
      String root = "s3a://" + BUCKET + "/unconditional";
      IOException e = assertThrows(IOException.class, () -> ZooLock.acquire(root, "zoo.yaml", Duration.ofHours(1)));
      assertTrue(e.getMessage().contains(root + "/" + ZooLock.FILE + ": cannot create the zoo lock")
          && e.getMessage().contains("fs.s3a.create.conditional.enabled=true"), e.getMessage());
      assertFalse(e.getMessage().contains("software.amazon") || e.getMessage().contains("org.apache"), e.getMessage());
      Path lock = new Path(root, ZooLock.FILE);
      assertFalse(FileSystems.forPath(lock).exists(lock), "no lock left behind");
    } finally {
      sc.stop();
    }
  }
}
