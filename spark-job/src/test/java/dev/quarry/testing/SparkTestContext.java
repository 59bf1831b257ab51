package dev.quarry.testing;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A real local[2] Spark context for a test class (CI has 2 cores); no UI; on loopback only. */
public final class SparkTestContext {
  private SparkTestContext() {}

  public static JavaSparkContext start(String name) {
    return start(name, Map.of());
  }

  /** With extra Spark properties (e.g. {@code spark.hadoop.*} settings of a file system). */
  public static JavaSparkContext start(String name, Map<String, String> properties) {
    SparkConf conf = new SparkConf()
        .setMaster("local[2]")
        .setAppName(name)
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
    properties.forEach(conf::set);
    return new JavaSparkContext(conf);
  }
}
