package dev.quarry.testing;

import dev.quarry.cli.Quarry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  private static final Pattern WRITING = Pattern.compile("(?:writing|uploading) (\\d+) shard\\(s\\)");
  private static final Pattern PARTS = Pattern.compile("uploading \\d+ shard\\(s\\) in (\\d+) parts");

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
   * The scenario on a store written through multipart uploads (HDFS, S3A), where the driver completes
   * each shard's upload as its last part comes in: a local run of {@link #command} first (the expected
   * output), then the same conversion into {@code output} on {@code fs}, its driver (a child JVM with
   * {@code jvmArgs}) killed once two shards are recorded complete while parts are still being put, then
   * run again in this JVM. The rerun keeps exactly the recorded shards (not uploaded again: same length
   * and modification time), uploads only the others in fewer parts, and its output is the local run's.
   */
  public static void assertRerunKeepsTheShardsUploadedBeforeAKill(java.nio.file.Path workDir, List<String> jvmArgs,
      FileSystem fs, Path output) throws IOException, InterruptedException {
    java.nio.file.Path undisturbed = workDir.resolve("undisturbed");
    CliRun cli = new CliRun();
    assertEquals(0, cli.run(command(input(), undisturbed.toString())), cli.err());
    int shards = written(cli.out());

    String[] command = command(input(), output.toString());
    java.nio.file.Path log = workDir.resolve("driver.log");
    List<String> recorded = killAfterRecords(log, jvmArgs, command, fs, output, 2);
    String killed = java.nio.file.Files.readString(log);
    assertFalse(killed.contains("parts put by executor"), "the pass was over before two shards were recorded:\n" + killed);
    assertFalse(fs.exists(new Path(output, "_SUCCESS")), "killed before the commit");
    assertTrue(recorded.size() < shards, "every shard was recorded before the kill: " + recorded);
    List<String> before = new ArrayList<>();
    for (String shard : recorded) {
      FileStatus s = fs.getFileStatus(new Path(output, shard));
      before.add(shard + " " + s.getLen() + " " + s.getModificationTime());
    }

    assertEquals(0, cli.run(command), cli.err());
    String rerun = cli.out();
    assertEquals(recorded.size(), kept(rerun), rerun);
    assertEquals(shards - recorded.size(), written(rerun), "shards uploaded by the rerun:\n" + rerun);
    assertTrue(parts(rerun) < parts(killed), "the rerun uploads fewer parts than a fresh run:\n" + rerun);
    List<String> after = new ArrayList<>();
    for (String shard : recorded) {
      FileStatus s = fs.getFileStatus(new Path(output, shard));
      after.add(shard + " " + s.getLen() + " " + s.getModificationTime());
    }
    assertEquals(before, after, "a kept shard was uploaded again");
    OutputTrees.assertIdentical(undisturbed, fs, output);
  }

  /** The number of parts a run's log says it uploads ({@code uploading N shard(s) in P parts}). */
  private static int parts(String log) {
    Matcher m = PARTS.matcher(log);
    if (!m.find()) {
      throw new AssertionError("the log does not say how many parts were uploaded:\n" + log);
    }
    return Integer.parseInt(m.group(1));
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
