package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.fs.FileSystems;
import dev.quarry.testing.InterruptedConversion;
import dev.quarry.testing.S3ProxyServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conversion into S3 (S3Proxy on loopback) whose driver JVM is killed while its parts are uploaded,
 * once two shards' uploads were completed and recorded: the rerun keeps those objects, uploads only the
 * other shards, and gives the bytes of a local run. The settings reach both runs as {@code spark.hadoop.*} system properties,
 * as spark-submit passes them.
 */
class ResumeS3aIT {
  private static final String BUCKET = "resume";

  @TempDir
  static java.nio.file.Path dir;

  private static S3ProxyServer s3;
  private static Map<String, String> properties;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.start(dir);
    s3.createBucket(BUCKET);
    properties = s3.sparkProperties(s3.secret());
    properties.forEach(System::setProperty);
  }

  @AfterAll
  static void stop() throws Exception {
    if (properties != null) {
      properties.keySet().forEach(System::clearProperty);
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aRerunIntoS3KeepsTheShardsUploadedBeforeAKill() throws Exception {
    Configuration conf = new Configuration();
    s3.hadoopProperties(s3.secret()).forEach(conf::set);
    List<String> jvmArgs = new ArrayList<>();
    properties.forEach((k, v) -> jvmArgs.add("-D" + k + "=" + v));
    Path output = new Path("s3a://" + BUCKET + "/out/nf4-dq");
    FileSystem fs = FileSystems.forPath(output, conf);
    InterruptedConversion.assertRerunKeepsTheShardsUploadedBeforeAKill(dir, jvmArgs, fs, output);
    // the killed run's uploads of the shards it had not completed were pending: the rerun aborted them
    assertEquals(List.of(), ((S3AFileSystem) fs).listMultipartUploads("out/").stream().map(u -> u.key()).toList(),
        "pending uploads left under the output");
  }
}
