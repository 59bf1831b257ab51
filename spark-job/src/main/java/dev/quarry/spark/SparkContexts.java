package dev.quarry.spark;

import dev.quarry.jvm.QuarrySparkPlugin;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context of a {@code quarry} run: the master given on the command line, else the one
 * {@code spark-submit} set, else {@code local[*]}. Local runs skip the web UI (it only slows the start)
 * and listen on loopback only: the driver's RPC and block manager ports take no authentication, and no
 * other machine has anything to say to a local run. A run on a cluster takes its addresses from the
 * cluster's configuration; settings the user gave win in both. Every run gets quarry's Spark plugin
 * beside the user's, which prepares the executors' JVMs ({@link QuarrySparkPlugin}).
 */
public final class SparkContexts {
  public static final String DEFAULT_MASTER = "local[*]";
  private static final String LOOPBACK = "127.0.0.1";
  static final String PLUGINS = "spark.plugins";

  private SparkContexts() {}

  public static JavaSparkContext start(String appName, String master) {
    SparkConf conf = new SparkConf().setAppName(appName);
    if (master != null) {
      conf.setMaster(master);
    }
    conf.setIfMissing("spark.master", DEFAULT_MASTER);
    localDefaults(conf.get("spark.master")).forEach(conf::setIfMissing);
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.set(PLUGINS, withPlugin(conf.get(PLUGINS, "")));
    return new JavaSparkContext(conf);
  }

  /** The user's plugins (comma-separated), and quarry's ({@link QuarrySparkPlugin}). */
  static String withPlugin(String plugins) {
    String ours = QuarrySparkPlugin.class.getName();
    // Spark trims the names of spark.plugins: so does the check that the user named quarry's already
    boolean named = Arrays.stream(plugins.split(",")).map(String::trim).anyMatch(ours::equals);
    return plugins.isBlank() ? ours : named ? plugins : plugins + "," + ours;
  }

  /** What a run on {@code master} gets unless the user set it: for a local master no UI and loopback only; for a cluster nothing. */
  static Map<String, String> localDefaults(String master) {
    return master.startsWith("local")
        ? Map.of("spark.ui.enabled", "false", "spark.driver.bindAddress", LOOPBACK, "spark.driver.host", LOOPBACK)
        : Map.of();
  }
}
