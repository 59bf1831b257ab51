package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.cli.Quarry;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.WholeFiles;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.LogCapture;
import dev.quarry.testing.OutputTrees;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.S3ProxyServer;
import dev.quarry.testing.Scripts;
import dev.quarry.testing.SparkTestContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3a:// against a real S3 server on loopback (S3Proxy, signatures checked): a conversion reads and
 * writes S3 and gives the bytes of a local conversion, with no rename at all (shards are uploaded to
 * their final names, _SUCCESS last); scripts/quarry does the same with its settings in HADOOP_CONF_DIR;
 * an abandoned upload leaves no object; the credentials come from the Hadoop configuration only and
 * never show in an error or the log.
 */
class S3aIT {
  private static final String BUCKET = "models";
  private static final Path INPUT = new Path("s3a://" + BUCKET + "/tiny-llama");

  @TempDir
  static java.nio.file.Path dir;

  private static S3ProxyServer s3;

  @BeforeAll
  static void startServer() throws Exception {
    s3 = S3ProxyServer.start(dir);
    s3.createBucket(BUCKET);
    // the local conversion every s3a:// output must equal, and the input uploaded
    String reference = ReferenceData.file("tiny-llama/input/config.json").getParent().toString();
    JavaSparkContext sc = SparkTestContext.start("S3aIT-setup", s3.sparkProperties(s3.secret()));
    try {
      ConversionJob.run(sc, ConvertOptions.of(reference, local().toString(), QuantMode.NF4_DQ), line -> {});
      FileSystem fs = FileSystems.forPath(INPUT);
      try (Stream<java.nio.file.Path> files = Files.list(java.nio.file.Path.of(reference))) {
        for (java.nio.file.Path f : files.toList()) {
          try (OutputStream out = fs.create(new Path(INPUT, f.getFileName().toString()), true)) {
            Files.copy(f, out);
          }
        }
      }
    } finally {
      sc.stop();
    }
  }

  private static java.nio.file.Path local() {
    return dir.resolve("local-nf4-dq");
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void convertsFromS3ToS3AsLocallyWithoutRenames() throws IOException {
    JavaSparkContext sc = SparkTestContext.start("S3aIT", s3.sparkProperties(s3.secret()));
    try (LogCapture log = LogCapture.capture()) {
      FileSystem fs = FileSystems.forPath(INPUT);
      long renamesBefore = renames(fs);
      Path out = new Path("s3a://" + BUCKET + "/tiny-llama-nf4-dq");
      ConvertSummary s = ConversionJob.run(sc, ConvertOptions.of(INPUT.toString(), out.toString(), QuantMode.NF4_DQ), line -> {});
      assertEquals(21, s.tensors());
      assertEquals(renamesBefore, renames(fs), "renames on S3 during the conversion");
      OutputTrees.assertIdentical(local(), fs, out);
      assertTrue(log.size() > 0, "nothing was logged at INFO: the capture is not working");
      assertFalse(log.text().contains(s3.secret()), "the secret key was logged");
    } finally {
      sc.stop();
    }
  }

  /** What a user runs: scripts/quarry, with the s3a settings and credentials in HADOOP_CONF_DIR/core-site.xml. */
  @Test
  void theQuarryLauncherTakesS3SettingsFromHadoopConfDir() throws Exception {
    java.nio.file.Path confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
    org.apache.hadoop.conf.Configuration site = new org.apache.hadoop.conf.Configuration(false);
    s3.hadoopProperties(s3.secret()).forEach(site::set);
    try (OutputStream out = Files.newOutputStream(confDir.resolve("core-site.xml"))) {
      site.writeXml(out);
    }
    Path out = new Path("s3a://" + BUCKET + "/cli-nf4-dq");
    Scripts.Result r = Scripts.run(Map.of("HADOOP_CONF_DIR", confDir.toString()), 300, "quarry", "convert",
        "--master", "local[2]", "--input", INPUT.toString(), "--output", out.toString(), "--mode", "nf4-dq");
    assertEquals(0, r.exitCode(), r.output());
    assertFalse(r.output().contains(s3.secret()), "the secret key was printed:\n" + r.output());
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    s3.hadoopProperties(s3.secret()).forEach(conf::set);
    OutputTrees.assertIdentical(local(), FileSystems.forPath(out, conf), out);
  }

  private static long renames(FileSystem fs) {
    Long n = IOStatisticsSupport.retrieveIOStatistics(fs).counters().get("op_rename");
    assertTrue(n != null, "S3A reports no op_rename statistic");
    return n;
  }

  @Test
  void anAbandonedUploadLeavesNoObject() throws IOException {
    Path file = new Path("s3a://" + BUCKET + "/half-written.safetensors");
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    s3.hadoopProperties(s3.secret()).forEach(conf::set);
    FileSystem fs = FileSystems.forPath(file, conf);
    assertTrue(WholeFiles.writesAppearWhole(fs, file.getParent()), "S3A should say its writes appear whole");
    FSDataOutputStream out = fs.create(file, true);
    out.write(new byte[3 << 20]);
    WholeFiles.abandon(out);
    out.close();
    assertFalse(fs.exists(file), "an abandoned upload became an object");
  }

  @Test
  void aWrongSecretFailsWithoutShowingIt() throws IOException {
    String wrong = "wrong-" + s3.secret();
    StringWriter err = new StringWriter();
    Map<String, String> properties = s3.sparkProperties(wrong);
    int exit;
    try (LogCapture log = LogCapture.capture()) {
      properties.forEach(System::setProperty);
      try {
        // another bucket name: Hadoop caches one S3A client per bucket, and the others' has the right key
        exit = Quarry.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
            .execute("convert", "--master", "local[1]", "--input", "s3a://other-bucket/in", "--output",
                "s3a://other-bucket/out", "--mode", "nf4");
      } finally {
        properties.keySet().forEach(System::clearProperty);
      }
      assertFalse(log.text().contains(wrong), "the secret key was logged:\n" + log.text());
      assertFalse(log.text().contains(s3.secret()), "the server's secret key was logged");
    }
    assertEquals(Quarry.EXIT_ERROR, exit, err.toString());
    assertTrue(err.toString().startsWith("quarry: error: "), err.toString());
    assertTrue(err.toString().contains("403") || err.toString().contains("Forbidden") || err.toString().contains("denied"),
        "the error should say access was refused: " + err);
    assertFalse(err.toString().contains(wrong), "the secret key is in the error: " + err);
  }
}
