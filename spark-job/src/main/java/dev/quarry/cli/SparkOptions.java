package dev.quarry.cli;

import dev.quarry.convert.SparkContexts;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/** {@code --master} of the commands that run on Spark (a picocli mixin), and the context it gives. */
final class SparkOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default: the one spark-submit sets, else " + SparkContexts.DEFAULT_MASTER + ").")
  String master;

  JavaSparkContext start(String appName) {
    return SparkContexts.start(appName, master);
  }
}
