package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the project's scripts (scripts/cluster, scripts/submit) as a user would, on the jars Maven just built. */
public final class Scripts {
  /** What a script printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {}

  private Scripts() {}

  public static Result run(Map<String, String> env, long timeoutSeconds, String script, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProjectFiles.root().resolve("scripts").resolve(script).toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("quarry-" + script, ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("SPARK_HOME"); // the Maven-built Spark, not an installation the machine may have
    pb.environment().put("QUARRY_SKIP_BUILD", "1");
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    Files.delete(log);
    assertTrue(done, script + " " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s:\n" + output);
    return new Result(p.exitValue(), output);
  }
}
