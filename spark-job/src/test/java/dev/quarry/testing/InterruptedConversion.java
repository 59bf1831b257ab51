package dev.quarry.testing;

import dev.quarry.cli.Quarry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** How long each read of tensor data sleeps: long enough that the kill lands between shards. */
  public static final long READ_MILLIS = 300;

  private InterruptedConversion() {}

  /** The tiny Llama read through a slow file system ({@link ThrottledFileSystem}): a URI for {@code --input}. */
  public static String input() {
    return ThrottledFileSystem.uri(READ_MILLIS, ReferenceData.file("tiny-llama/input/config.json").getParent());
  }

  /**
   * The conversion the resume tests kill and rerun: a model to nf4-dq in shards of 80 KB (a dozen of
   * the tiny Llama's). Each MLP weight's codes fill a shard of their own and its absmax lies in the
   * next, so a kill between the two leaves a block whose codes are kept and whose absmax is redone.
   */
  public static String[] command(String input, String output) {
    return new String[] {"convert", "--input", input, "--output", output, "--mode", "nf4-dq", "--master", "local[2]",
        "--block-size-mb", "1", "--max-shard-size", "80KB"};
  }

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

  /**
   * The whole scenario on any store, for the tiny Llama read through a slow file system: a local run
   * of {@link #command} first (the expected output), then the same conversion into {@code output} on
   * {@code fs}, its driver (a child JVM with {@code jvmArgs}) killed once three shards are recorded
   * complete, then run again in this JVM. The rerun must keep exactly those shards (not written again:
   * same modification time and length), name them, write only the others, and leave the local run's
   * output.
   */
  public static void assertRerunKeepsTheRecordedShards(java.nio.file.Path workDir, List<String> jvmArgs, FileSystem fs,
      Path output) throws IOException, InterruptedException {
    String input = input();
    java.nio.file.Path undisturbed = workDir.resolve("undisturbed");
    CliRun cli = new CliRun();
    assertEquals(0, cli.run(command(input, undisturbed.toString())), cli.err());
    int shards = written(cli.out());

    String[] command = command(input, output.toString());
    List<String> recorded = killAfterRecords(workDir.resolve("driver.log"), jvmArgs, command, fs, output, 3);
    assertFalse(fs.exists(new Path(output, "_SUCCESS")), "killed before the commit");
    assertTrue(recorded.size() < shards, "every shard was recorded before the kill: " + recorded);
    Map<String, List<Long>> before = new HashMap<>();
    for (String shard : recorded) {
      FileStatus st = fs.getFileStatus(new Path(output, shard));
      before.put(shard, List.of(st.getModificationTime(), st.getLen()));
    }
    assertEquals(0, cli.run(command), cli.err());
    String log = cli.out();
    assertTrue(log.contains(String.format("kept %d of %d shards", recorded.size(), shards)), log);
    for (String shard : recorded) {
      assertTrue(log.contains(shard), "the log names the kept shard " + shard + ":\n" + log);
      FileStatus st = fs.getFileStatus(new Path(output, shard));
      assertEquals(before.get(shard), List.of(st.getModificationTime(), st.getLen()), shard + " was written again");
    }
    assertEquals(shards - recorded.size(), written(log), "shards written by the rerun:\n" + log);
    OutputTrees.assertIdentical(undisturbed, fs, output);
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
