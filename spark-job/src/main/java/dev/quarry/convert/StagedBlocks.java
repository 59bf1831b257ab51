package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.WholeFiles;
import dev.quarry.quality.ErrorStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finished block results in the staging area, kept across runs so that a rerun after a crash (the
 * driver killed) reuses them instead of quantizing again. A task writes its attempt file, then
 * commits it by renaming it to {@code <kind>-<id>.bin} and records its {@link BlockResult} beside it
 * in {@code <kind>-<id>.result} (written aside, then renamed): a record exists only for a complete
 * block. The staging directory is keyed by the whole plan ({@link ConversionIdentity}), so a record
 * found there describes exactly the block the plan wants.
 *
 * <p>The records are Java-serialized {@link BlockResult}s read back through a filter that admits
 * only {@link BlockResult} and {@code ExactSum} (and bounds depth and size): a file planted in the
 * output directory cannot make the reader build any other object.
 */
final class StagedBlocks {
  private static final String RESULT = ".result";
  private static final String DATA = ".bin";
  private static final Pattern NAME = Pattern.compile("([a-z]+)-(\\d{7})\\.(bin|result)");
  private static final ObjectInputFilter ONLY_RESULTS = ObjectInputFilter.Config.createFilter(
      "maxdepth=6;maxrefs=32;maxbytes=16384;maxarray=512;"
          + BlockResult.class.getName() + ";dev.quarry.kernels.ExactSum;" + ErrorStats.class.getName()
          + ";java.math.BigInteger;java.lang.Number;!*");

  private StagedBlocks() {}

  /** Executor side: commits the attempt's complete file and records its result; returns the committed result. */
  static BlockResult commit(FileSystem fs, String stagingDir, String kind, BlockResult attempt) throws IOException {
    Path attemptData = new Path(attempt.path());
    Path data = new Path(stagingDir, name(kind, attempt.blockId()) + DATA);
    Path record = new Path(stagingDir, name(kind, attempt.blockId()) + RESULT);
    BlockResult committed = attempt.at(data.toString());
    if (attemptData.equals(data)) {
      // written in place (see dataPath): the record, written after the data, marks it finished
      writeRecord(fs, record, committed);
      return committed;
    }
    renameOrDrop(fs, attemptData, data);
    Path attemptRecord = new Path(attemptData + RESULT);
    writeRecord(fs, attemptRecord, committed);
    renameOrDrop(fs, attemptRecord, record);
    return committed;
  }

  /**
   * Where an attempt writes the data of a block: a name of its own, which {@link #commit} renames
   * into place; on a store whose files appear whole or not at all (S3A) the final name itself,
   * because a rename there copies every byte, and two attempts of a block write the same bytes.
   */
  static Path dataPath(String stagingDir, String kind, int blockId, long attemptId) throws IOException {
    Path dir = new Path(stagingDir);
    return WholeFiles.writesAppearWhole(FileSystems.forPath(dir), dir) ? new Path(dir, name(kind, blockId) + DATA)
        : new Path(dir, String.format("%s-%07d-attempt-%d%s", kind, blockId, attemptId, DATA));
  }

  private static void writeRecord(FileSystem fs, Path path, BlockResult result) throws IOException {
    try (ObjectOutputStream out = new ObjectOutputStream(NamedOutputStream.create(fs, path, true))) {
      out.writeObject(result);
    }
  }

  /**
   * A finished attempt takes the final name; when another attempt of the same block got there
   * first, its bytes are the same (the computation is deterministic) and this one is dropped.
   */
  private static void renameOrDrop(FileSystem fs, Path attempt, Path target) throws IOException {
    if (!fs.rename(attempt, target)) {
      if (!fs.exists(target)) {
        throw new IOException(target + ": cannot rename " + attempt + " to it");
      }
      fs.delete(attempt, false);
    }
  }

  /**
   * Driver side: the complete, consistent results of {@code kind} in {@code stagingDir} by block id
   * (ids below {@code blockCount}); everything else of that kind there (a data file without its
   * record, an unreadable record) is deleted, so that a new attempt can take its name.
   */
  static Map<Integer, BlockResult> finished(FileSystem fs, String stagingDir, String kind, int blockCount)
      throws IOException {
    Path dir = new Path(stagingDir);
    Map<Integer, BlockResult> results = new HashMap<>();
    Map<Integer, FileStatus> data = new HashMap<>();
    Map<Integer, Path> records = new HashMap<>();
    for (FileStatus f : fs.listStatus(dir)) {
      Matcher m = NAME.matcher(f.getPath().getName());
      if (m.matches() && m.group(1).equals(kind)) {
        int id = Integer.parseInt(m.group(2));
        if (m.group(3).equals("bin")) {
          data.put(id, f);
        } else {
          records.put(id, f.getPath());
        }
      }
    }
    for (Map.Entry<Integer, Path> e : records.entrySet()) {
      int id = e.getKey();
      BlockResult r = read(fs, e.getValue());
      FileStatus d = data.get(id);
      if (r != null && r.blockId() == id && id < blockCount && d != null
          && d.getLen() == r.stagedBytes()) {
        results.put(id, r.at(new Path(dir, name(kind, id) + DATA).toString()));
      }
    }
    for (int id : data.keySet()) {
      if (!results.containsKey(id)) {
        fs.delete(data.get(id).getPath(), false);
      }
    }
    for (int id : records.keySet()) {
      if (!results.containsKey(id)) {
        fs.delete(records.get(id), false);
      }
    }
    return results;
  }

  private static BlockResult read(FileSystem fs, Path record) throws IOException {
    try (InputStream in = fs.open(record)) {
      ObjectInputStream objects = new ObjectInputStream(in);
      objects.setObjectInputFilter(ONLY_RESULTS);
      return objects.readObject() instanceof BlockResult r ? r : null;
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      return null; // cut short, or not a record this quarry wrote: the block is computed again
    }
  }

  private static String name(String kind, int blockId) {
    return String.format("%s-%07d", kind, blockId);
  }
}
