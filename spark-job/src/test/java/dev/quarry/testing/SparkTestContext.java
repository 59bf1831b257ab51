package dev.quarry.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A real local[2] Spark context for a test class (CI has 2 cores); no UI. */
public final class SparkTestContext {
  private SparkTestContext() {}

  public static JavaSparkContext start(String name) {
    return new JavaSparkContext(new SparkConf()
        .setMaster("local[2]")
        .setAppName(name)
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1"));
  }
}
