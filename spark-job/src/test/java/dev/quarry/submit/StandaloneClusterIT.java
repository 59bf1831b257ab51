package dev.quarry.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.ChildJvm;
import dev.quarry.testing.LocalCluster;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.OutputTrees;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.Scripts;
import dev.quarry.testing.SparkTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster (scripts/cluster: a Master and two Workers of one core, each its own
 * JVM, executors launched by the Workers) runs the application jar submitted through Spark's own submit
 * entry point (scripts/submit); the output (codes staged on the cluster, computed again by the shard
 * writer in local mode) is byte-identical to a local-mode conversion.
 */
class StandaloneClusterIT {
  @TempDir
  static Path dir;

  private static Map<String, String> env;
  private static String master;

  @BeforeAll
  static void startCluster() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    env = Map.of("QUARRY_CLUSTER_DIR", dir.resolve("cluster").toString(), "QUARRY_MASTER_PORT", String.valueOf(port));
    Scripts.Result r = Scripts.run(env, 120, "cluster", "start", "2", "1");
    assertEquals(0, r.exitCode(), "scripts/cluster start failed:\n" + r.output());
    master = "spark://127.0.0.1:" + port;
    assertTrue(r.output().contains(master), r.output());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (env != null) {
      Scripts.Result r = Scripts.run(env, 60, "cluster", "stop");
      assertEquals(0, r.exitCode(), "scripts/cluster stop failed:\n" + r.output());
    }
  }

  @Test
  void submittedConversionEqualsLocalMode() throws Exception {
    String input = ReferenceData.file("tiny-llama/input/config.json").getParent().toString();
    Path clusterOut = dir.resolve("cluster-nf4-dq");
    // small blocks: more tasks than executors, so both workers' executors write parts of the one shard
    // (in place: the output is on a file system every executor mounts); the run starts once both are up
    Scripts.Result r = Scripts.run(env, 300, "submit", "--master", master, "--executor-memory", "768m",
        "--conf", "spark.cores.max=2", "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s", "--",
        "convert", "--input", input, "--output", clusterOut.toString(), "--mode", "nf4-dq", "--block-size-mb", "1");
    assertEquals(0, r.exitCode(), "scripts/submit failed:\n" + r.output());
    assertTrue(r.output().contains("converted 21 tensors"), r.output());
    Matcher wrote = Pattern.compile("bytes written by executor: (\\S+) [\\d.]+ [KMG]?B, (\\S+) [\\d.]+ [KMG]?B\\n").matcher(r.output());
    assertTrue(wrote.find() && !wrote.group(1).equals("driver") && !wrote.group(2).equals("driver"),
        "both executors wrote parts of the shard:\n" + r.output());

    Path localOut = dir.resolve("local-nf4-dq");
    JavaSparkContext sc = SparkTestContext.start("StandaloneClusterIT");
    List<String> localLog = new ArrayList<>();
    try {
      ConversionJob.run(sc, ConvertOptions.of(input, localOut.toString(), QuantMode.NF4_DQ), localLog::add);
    } finally {
      sc.stop();
    }
    assertTrue(localLog.stream().anyMatch(l -> l.startsWith("bytes written by executor: driver ")), localLog.toString());
    OutputTrees.assertIdentical(localOut, LocalFiles.fs(), LocalFiles.hadoopPath(clusterOut));
    for (String worker : new String[] {"worker-1", "worker-2"}) {
      assertTrue(hasExecutorDirs(dir.resolve("cluster").resolve(worker)), worker + " launched no executor");
    }
  }

  /**
   * The cluster's executors register with a driver, and their block managers with its block manager
   * master, under 127.0.0.1: scripts/cluster's daemons and the executors they launch stay on loopback.
   */
  @Test
  void executorsRegisterOnLoopback() throws Exception {
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master).setAppName("StandaloneClusterIT loopback")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.cores.max", "2")
        .set("spark.executor.memory", "512m")
        .set("spark.executor.extraJavaOptions", String.join(" ", ChildJvm.moduleFlags())));
    try {
      LocalCluster.awaitExecutors(sc, 2, 120_000);
      // the status tracker lists the driver and 2 executors, the block manager master their 3 block managers
      assertEquals(Collections.nCopies(6, "127.0.0.1"), LocalCluster.advertisedHosts(sc));
    } finally {
      sc.stop();
    }
  }

  /** A Worker keeps a work directory per application, with one directory per executor it launched. */
  private static boolean hasExecutorDirs(Path workDir) throws IOException {
    try (Stream<Path> apps = Files.list(workDir)) {
      return apps.anyMatch(app -> app.getFileName().toString().startsWith("app-"));
    }
  }
}
