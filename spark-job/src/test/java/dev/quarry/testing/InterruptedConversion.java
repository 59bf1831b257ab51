package dev.quarry.testing;

import dev.quarry.cli.Quarry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A {@code quarry convert} whose driver JVM is killed (SIGKILL: no shutdown hook, no cleanup) once a
 * given number of shards have their completion records under {@code <output>/_staging} — on any
 * store the child JVM reaches — and what its rerun's log says it kept and wrote.
 */
public final class InterruptedConversion {
  private static final String RECORD_SUFFIX = ".complete";
  private static final Pattern KEPT = Pattern.compile("kept (\\d+) of (\\d+) shards");
  private static final Pattern WRITING = Pattern.compile("(?:writing|streaming) (\\d+) shard\\(s\\)");

  private InterruptedConversion() {}

  /**
   * Runs {@code quarry args} in a child JVM with {@code jvmArgs} (e.g. {@code -Dspark.hadoop...}) and
   * kills it as soon as {@code records} shards of {@code output} are recorded complete; fails if it
   * ends first. Returns the names of the shards recorded complete when it died.
   */
  public static List<String> killAfterRecords(java.nio.file.Path log, List<String> jvmArgs, String[] args, FileSystem fs,
      Path output, int records) throws IOException, InterruptedException {
    Process driver = ChildJvm.start(log, jvmArgs, Quarry.class.getName(), args);
    try {
      long deadline = System.currentTimeMillis() + 300_000;
      while (recordedShards(fs, output).size() < records) {
        if (!driver.isAlive()) {
          throw new AssertionError("the conversion ended (exit " + driver.exitValue() + ") before " + records
              + " shards were recorded complete; slow its input down: " + java.nio.file.Files.readString(log));
        }
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError(records + " shards were not recorded complete in time");
        }
        Thread.sleep(5);
      }
    } finally {
      driver.destroyForcibly();
      driver.waitFor(30, TimeUnit.SECONDS);
    }
    return recordedShards(fs, output);
  }

  /** The shards of {@code output} that have a completion record, sorted. */
  public static List<String> recordedShards(FileSystem fs, Path output) throws IOException {
    Path staging = new Path(output, "_staging");
    List<String> names = new ArrayList<>();
    if (fs.exists(staging)) {
      for (FileStatus f : fs.listStatus(staging)) {
        String name = f.getPath().getName();
        if (name.endsWith(RECORD_SUFFIX)) {
          names.add(name.substring(0, name.length() - RECORD_SUFFIX.length()));
        }
      }
    }
    names.sort(null);
    return names;
  }

  /** The number of shards a run's log says it kept ({@code kept K of N shards}), 0 when it kept none. */
  public static int kept(String log) {
    Matcher m = KEPT.matcher(log);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** The number of shards a run's log says it wrote (in place or streamed). */
  public static int written(String log) {
    Matcher m = WRITING.matcher(log);
    if (!m.find()) {
      throw new AssertionError("the log does not say how many shards were written:\n" + log);
    }
    return Integer.parseInt(m.group(1));
  }
}
