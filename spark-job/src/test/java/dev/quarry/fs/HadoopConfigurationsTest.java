package dev.quarry.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** spark.hadoop.* properties of the application reach quarry's Hadoop configuration, prefix removed; nothing else does. */
class HadoopConfigurationsTest {
  @Test
  void takesSparkHadoopPropertiesOnly() {
    SparkConf spark = new SparkConf(false)
        .set("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000")
        .set("spark.executor.memory", "1g")
        .set("fs.quarry.unprefixed", "true");
    Configuration conf = HadoopConfigurations.of(spark);
    assertEquals("http://127.0.0.1:9000", conf.get("fs.s3a.endpoint"));
    assertNull(conf.get("spark.executor.memory"));
    assertNull(conf.get("executor.memory"));
    assertNull(conf.get("fs.quarry.unprefixed"), "a property without the spark.hadoop. prefix");
    // Hadoop's defaults are still there (core-default.xml)
    assertEquals("file:///", conf.get("fs.defaultFS"));
  }
}
