package dev.quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.jvm.CompilerDirectives;
import dev.quarry.jvm.QuarrySparkPlugin;
import dev.quarry.testing.LocalCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every executor JVM gets quarry's compiler directives from the plugin every run's context carries. */
class QuarrySparkPluginTest {
  @TempDir
  Path scratch;

  @Test
  void theUsersPluginsKeepTheirPlaceBesideQuarrys() {
    String ours = QuarrySparkPlugin.class.getName();
    assertEquals(ours, SparkContexts.withPlugin(""));
    assertEquals("com.example.Mine," + ours, SparkContexts.withPlugin("com.example.Mine"));
    assertEquals("com.example.Mine," + ours, SparkContexts.withPlugin("com.example.Mine," + ours));
    assertEquals("com.example.Mine, " + ours, SparkContexts.withPlugin("com.example.Mine, " + ours));
  }

  @Test
  void executorsHaveTheDirectivesBeforeTheirFirstTask() throws Exception {
    JavaSparkContext sc = LocalCluster.start("plugin", 1, scratch, Map.of(SparkContexts.PLUGINS, SparkContexts.withPlugin("")));
    try {
      List<String> printed = sc.parallelize(List.of(1), 1).map(i -> CompilerDirectives.printed()).collect();
      assertTrue(printed.get(0).contains("java/io/Object*.*"), "the executor's directives:\n" + printed.get(0));
    } finally {
      LocalCluster.stop(sc);
    }
  }
}
