package dev.quarry.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.ProjectFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * conf/spark-defaults.conf carries the JVM options of the root pom's {@code quarry.jvm.flags} (which
 * surefire passes to this test) to the driver and every executor: the two must never drift apart.
 */
class SparkDefaultsTest {
  @Test
  void driverAndExecutorsGetTheProjectJvmFlags() throws IOException {
    String flags = System.getProperty("quarry.jvm.flags");
    assertNotNull(flags, "system property quarry.jvm.flags is missing (set by the spark-job pom's surefire config)");
    assertTrue(flags.contains("--add-modules=jdk.incubator.vector"), flags);
    Properties conf = sparkDefaults();
    assertEquals(flags, conf.getProperty("spark.driver.extraJavaOptions"));
    assertEquals(flags, conf.getProperty("spark.executor.extraJavaOptions"));
  }

  static Properties sparkDefaults() throws IOException {
    Path file = ProjectFiles.root().resolve("conf/spark-defaults.conf");
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return p;
  }
}
