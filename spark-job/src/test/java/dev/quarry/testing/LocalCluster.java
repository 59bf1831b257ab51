package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaSparkContext;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A real multi-process Spark on loopback from the Maven artifacts alone: {@code local-cluster[n,1,1024]}
 * runs a standalone Master and n Workers in this JVM, and each Worker launches its executor as a
 * separate JVM. Spark's own tests run it with {@code spark.testing} set: the executors then get
 * this JVM's classpath, and the Workers take {@code spark.test.home} as the Spark home, which needs
 * only the two directories the launcher looks for (no jars: the classpath has them).
 */
public final class LocalCluster {
  private static final List<String> TESTING_PROPERTIES = List.of("spark.testing", "spark.test.home");

  private LocalCluster() {}

  public static JavaSparkContext start(String name, int executors, Path scratch) throws IOException {
    return start(name, executors, scratch, Map.of());
  }

  /** With extra Spark properties (e.g. the {@code spark.hadoop.*} settings of an s3a:// output). */
  public static JavaSparkContext start(String name, int executors, Path scratch, Map<String, String> properties)
      throws IOException {
    // the Workers, and so the executors they launch, bind to SPARK_LOCAL_IP and advertise SPARK_LOCAL_HOSTNAME,
    // else the machine's first external interface or its name; environment variables, so the pom sets them
    for (String variable : List.of("SPARK_LOCAL_IP", "SPARK_LOCAL_HOSTNAME")) {
      assertEquals("127.0.0.1", System.getenv(variable), variable + " must be 127.0.0.1 for a local cluster on "
          + "loopback only (the pom's surefire and failsafe set it)");
    }
    Path home = scratch.resolve("spark-home");
    Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.toString());
    String javaOptions = String.join(" ", ChildJvm.moduleFlags());
    if (System.getProperty("log4j2.configurationFile") != null) {
      javaOptions += " -Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile");
    }
    SparkConf conf = new SparkConf()
        .setMaster("local-cluster[" + executors + ",1,1024]")
        .setAppName(name)
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.executor.memory", "512m")
        .set("spark.executor.extraJavaOptions", javaOptions);
    properties.forEach(conf::set);
    return new JavaSparkContext(conf);
  }

  /** Stops the context and clears the testing properties, which other tests in this JVM must not see. */
  public static void stop(JavaSparkContext sc) {
    try {
      sc.stop();
    } finally {
      TESTING_PROPERTIES.forEach(System::clearProperty);
    }
  }

  /**
   * The host of every executor (and the driver) as the status tracker lists them, and of every block
   * manager as the block manager master knows it ({@code host:port}): what other processes are told to
   * connect to.
   */
  public static List<String> advertisedHosts(JavaSparkContext sc) {
    List<String> hosts = new ArrayList<>();
    for (SparkExecutorInfo e : sc.statusTracker().getExecutorInfos()) {
      hosts.add(e.host());
    }
    for (String blockManager : CollectionConverters.asJava(sc.sc().getExecutorMemoryStatus()).keySet()) {
      hosts.add(blockManager.substring(0, blockManager.lastIndexOf(':')));
    }
    return hosts;
  }

  /** Waits until {@code count} executors have registered with the driver (both busy once tasks come). */
  public static void awaitExecutors(JavaSparkContext sc, int count, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    // the driver is listed among the executors; an executor's block manager registers after the executor
    while (sc.statusTracker().getExecutorInfos().length < count + 1 || sc.sc().getExecutorMemoryStatus().size() < count + 1) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(count + " executors did not register in " + timeoutMillis + " ms");
      }
      Thread.sleep(50);
    }
  }

  /**
   * The executor JVMs: this JVM's descendants running java (its Master and Workers are threads of
   * this JVM; the main class cannot be matched, the kernel cuts the long command line before it).
   */
  public static List<ProcessHandle> executors() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().command().orElse("").endsWith("/java"))
        .toList();
  }
}
