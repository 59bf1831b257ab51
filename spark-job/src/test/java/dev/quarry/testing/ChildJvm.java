package dev.quarry.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A main class run in a new JVM with this test JVM's java, module flags, classpath and log4j2 configuration. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code mainClass} with {@code args}; stdout and stderr go to {@code log}. */
  public static Process start(Path log, String mainClass, String... args) throws IOException {
    return start(log, List.of(), mainClass, args);
  }

  /** {@link #start(Path, String, String...)} with {@code jvmArgs} (e.g. system properties) before the main class. */
  public static Process start(Path log, List<String> jvmArgs, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(moduleFlags());
    command.addAll(jvmArgs);
    String log4j = System.getProperty("log4j2.configurationFile");
    if (log4j != null) {
      command.add("-Dlog4j2.configurationFile=" + log4j);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** The {@code --add-modules}/{@code --add-opens} flags this JVM runs with (the Vector API, Spark on 17+). */
  public static List<String> moduleFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-")).toList();
  }
}
