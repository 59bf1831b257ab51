package dev.quarry.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.CliRun;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.InterruptedConversion;
import dev.quarry.testing.LocalFiles;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver killed (SIGKILL) once some shards of a many-shard output are complete, then the same
 * command run again: the rerun keeps exactly the shards recorded complete (not rewritten: same inode,
 * same modification time), says so, writes only the others, and its output — manifest included — is
 * byte-identical to an undisturbed run's. A kept shard changed by one byte, cut short, or recorded by
 * another conversion is converted again instead.
 */
class ResumeAfterDriverKillTest {
  @TempDir
  Path dir;

  private String[] command(Path output) {
    return InterruptedConversion.command(InterruptedConversion.input(), output.toString());
  }

  @Test
  void aRerunKeepsTheShardsTheKilledRunCompletedAndGivesTheSameBytes() throws Exception {
    Path output = dir.resolve("out");
    List<String> recorded = InterruptedConversion.killAfterRecords(dir.resolve("driver.log"), List.of(), command(output),
        LocalFiles.fs(), LocalFiles.hadoopPath(output), 3);
    assertFalse(Files.exists(output.resolve("_SUCCESS")), "killed before the commit");
    Path tampered = dir.resolve("tampered");
    copyTree(output, tampered);
    Map<String, Object> before = new HashMap<>();
    for (String shard : recorded) {
      before.put(shard, identityOf(output.resolve(shard)));
    }

    CliRun cli = new CliRun();
    Path undisturbed = dir.resolve("undisturbed");
    assertEquals(0, cli.run(command(undisturbed)), cli.err());
    String fresh = cli.out();
    int shards = InterruptedConversion.written(fresh);
    assertTrue(shards >= recorded.size() + 1, "the model should make more shards than were recorded: " + fresh);

    assertEquals(0, cli.run(command(output)), cli.err());
    String rerun = cli.out();
    assertTrue(rerun.contains(String.format("kept %d of %d shards", recorded.size(), shards)), rerun);
    for (String shard : recorded) {
      assertTrue(rerun.contains(shard), "the log names the kept shard " + shard + ":\n" + rerun);
      assertEquals(before.get(shard), identityOf(output.resolve(shard)), shard + " was written again");
    }
    assertEquals(shards - recorded.size(), InterruptedConversion.written(rerun), "shards written by the rerun:\n" + rerun);
    assertEquals(FileTrees.snapshot(undisturbed), FileTrees.snapshot(output), "byte-identical to the undisturbed run");

    // one kept shard changed by a byte, one cut short, one record of another conversion: those three are redone
    Path flipped = tampered.resolve(recorded.get(0));
    try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
      long at = f.length() - 1;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 1);
    }
    try (RandomAccessFile f = new RandomAccessFile(tampered.resolve(recorded.get(1)).toFile(), "rw")) {
      f.setLength(f.length() - 1);
    }
    Path record = tampered.resolve("_staging").resolve(recorded.get(2) + ".complete");
    // the identity is a JSON text inside the record's JSON: its quotes are escaped
    Files.writeString(record, Files.readString(record).replace("\\\"mode\\\":\\\"nf4-dq\\\"", "\\\"mode\\\":\\\"fp4-dq\\\""));
    assertTrue(Files.readString(record).contains("fp4-dq"), "the record's identity was changed");

    assertEquals(0, cli.run(command(tampered)), cli.err());
    String redone = cli.out();
    assertTrue(redone.contains("not keeping " + recorded.get(0) + " of the interrupted run: its bytes are not what its record says"), redone);
    assertTrue(redone.contains("not keeping " + recorded.get(1) + " of the interrupted run: it holds"), redone);
    assertTrue(redone.contains("not keeping " + recorded.get(2) + " of the interrupted run: it was written by a different conversion"), redone);
    assertEquals(recorded.size() - 3, InterruptedConversion.kept(redone), redone);
    assertEquals(FileTrees.snapshot(undisturbed), FileTrees.snapshot(tampered), "byte-identical to the undisturbed run");
  }

  /**
   * A run of two modes in one read killed once two nf4-dq shards are recorded complete: the rerun keeps
   * the shards recorded complete of each mode's output (whatever the other mode had done), writes the
   * others, and both outputs are the bytes of an undisturbed run.
   */
  @Test
  void aRerunOfSeveralModesKeepsEachModesCompletedShards() throws Exception {
    Path parent = dir.resolve("modes");
    String[] command = modesCommand(parent);
    InterruptedConversion.killAfterRecords(dir.resolve("modes-driver.log"), List.of(), command, LocalFiles.fs(),
        LocalFiles.hadoopPath(parent.resolve("nf4-dq")), 2);
    Map<String, List<String>> recorded = new HashMap<>();
    Map<String, Object> before = new HashMap<>();
    for (String mode : List.of("nf4-dq", "int8")) {
      recorded.put(mode, InterruptedConversion.recordedShards(LocalFiles.fs(), LocalFiles.hadoopPath(parent.resolve(mode))));
      for (String shard : recorded.get(mode)) {
        before.put(mode + "/" + shard, identityOf(parent.resolve(mode).resolve(shard)));
      }
    }
    assertTrue(recorded.get("nf4-dq").size() >= 2, recorded.toString());

    CliRun cli = new CliRun();
    Path undisturbed = dir.resolve("modes-undisturbed");
    assertEquals(0, cli.run(modesCommand(undisturbed)), cli.err());
    assertEquals(0, cli.run(command), cli.err());
    String rerun = cli.out();
    for (String mode : List.of("nf4-dq", "int8")) {
      List<String> kept = recorded.get(mode);
      if (!kept.isEmpty()) {
        assertTrue(rerun.contains(mode + ": kept " + kept.size() + " of "), mode + " kept " + kept + ":\n" + rerun);
      }
      for (String shard : kept) {
        assertEquals(before.get(mode + "/" + shard), identityOf(parent.resolve(mode).resolve(shard)),
            mode + "/" + shard + " was written again");
      }
    }
    assertEquals(FileTrees.snapshot(undisturbed), FileTrees.snapshot(parent), "byte-identical to the undisturbed run");
  }

  private static String[] modesCommand(Path parent) {
    String[] one = InterruptedConversion.command(InterruptedConversion.input(), parent.toString());
    for (int i = 0; i < one.length; i++) {
      if (one[i].equals("--mode")) {
        one[i + 1] = "nf4-dq,int8";
      }
    }
    return one;
  }

  /** The file's inode and modification time: both change when a file is replaced or written again. */
  private static List<Object> identityOf(Path file) throws Exception {
    return List.of(Files.getAttribute(file, "unix:ino"), (FileTime) Files.getLastModifiedTime(file), Files.size(file));
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
