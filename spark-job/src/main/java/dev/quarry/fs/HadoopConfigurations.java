package dev.quarry.fs;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * The Hadoop configuration quarry's file access uses: Hadoop's own (core-site.xml and the rest on the
 * classpath or in HADOOP_CONF_DIR) plus, inside a Spark application, every {@code spark.hadoop.*}
 * property of it, on the driver and on every executor alike (an executor gets the application's
 * properties from the driver, not from its own JVM). This is the one way settings and credentials of
 * hdfs:// and s3a:// reach quarry: it never reads them from anywhere else, and never prints them.
 */
public final class HadoopConfigurations {
  private static final String PREFIX = "spark.hadoop.";

  /** The configuration built for the Spark environment last seen (a JVM runs one at a time). */
  private record ForSpark(SparkConf spark, Configuration hadoop) {}

  private static volatile ForSpark cached;

  private HadoopConfigurations() {}

  /**
   * For the running Spark application if there is one, else for the one about to start: the driver
   * checks its input and output before Spark starts, with the {@code spark.hadoop.*} system
   * properties spark-submit sets (a new {@link SparkConf} reads them). Callers must not modify it.
   */
  public static Configuration current() {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      return of(new SparkConf());
    }
    ForSpark c = cached;
    if (c == null || c.spark() != env.conf()) {
      c = new ForSpark(env.conf(), of(env.conf()));
      cached = c;
    }
    return c.hadoop();
  }

  /** Hadoop's defaults with the {@code spark.hadoop.*} properties of {@code spark}, prefix removed. */
  public static Configuration of(SparkConf spark) {
    Configuration conf = new Configuration();
    for (Tuple2<String, String> e : spark.getAllWithPrefix(PREFIX)) {
      conf.set(e._1(), e._2());
    }
    return conf;
  }
}
