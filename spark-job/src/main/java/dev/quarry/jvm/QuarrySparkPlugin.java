package dev.quarry.jvm;

import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * quarry's Spark plugin ({@code spark.plugins}, set by {@code SparkContexts}): prepares each executor's
 * JVM as {@code Quarry.main} prepares the launcher's, before its first task ({@link CompilerDirectives}).
 */
public final class QuarrySparkPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        CompilerDirectives.add();
      }
    };
  }
}
