package dev.quarry.convert;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context of a {@code quarry} run: the master given on the command line, else the one
 * {@code spark-submit} set, else {@code local[*]}. Local runs skip the web UI (it only slows the start).
 */
public final class SparkContexts {
  public static final String DEFAULT_MASTER = "local[*]";

  private SparkContexts() {}

  public static JavaSparkContext start(String appName, String master) {
    SparkConf conf = new SparkConf().setAppName(appName);
    if (master != null) {
      conf.setMaster(master);
    }
    conf.setIfMissing("spark.master", DEFAULT_MASTER);
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    return new JavaSparkContext(conf);
  }
}
