package dev.quarry.convert;

import dev.quarry.fs.DurableFiles;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.WholeFiles;
import dev.quarry.json.TransformersJsonFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output directory of a conversion. The shards are written at their final names (on a store
 * without positioned writes, streamed under {@code _staging} and renamed into place, or on an
 * object store uploaded to their final names: {@link ShardDestination}), then the JSON files and
 * the copied model files follow, everything is forced to disk, and {@code _SUCCESS} (holding the
 * {@link ConversionIdentity}) comes last: an output without it is incomplete and is redone from
 * the start by the next run; an output with it is left alone. A failed run removes what it wrote,
 * and the directory too when the run created it.
 */
public final class OutputStore {
  public static final String SUCCESS = "_SUCCESS";
  static final String STAGING = "_staging";
  /** Far more than any identity; a larger _SUCCESS is not quarry's. */
  private static final int MAX_SUCCESS_BYTES = 16 << 20;

  private final FileSystem fs;
  private final Path dir;
  private final boolean existed;

  public OutputStore(Path dir) throws IOException {
    this.fs = FileSystems.forPath(dir);
    this.dir = fs.makeQualified(dir);
    this.existed = fs.exists(this.dir);
  }

  FileSystem fs() {
    return fs;
  }

  Path dir() {
    return dir;
  }

  /** The content of {@code _SUCCESS} (the identity of the conversion that completed the output), or null. */
  String completedBy() throws IOException {
    Path success = new Path(dir, SUCCESS);
    if (!fs.exists(success)) {
      return null;
    }
    if (fs.getFileStatus(success).getLen() > MAX_SUCCESS_BYTES) {
      return "";
    }
    try (InputStream in = fs.open(success)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Whether the path is a file, or a directory holding files but neither {@code _SUCCESS} nor {@code _staging}. */
  boolean holdsOtherFiles() throws IOException {
    if (!existed) {
      return false;
    }
    if (!fs.getFileStatus(dir).isDirectory()) {
      return true;
    }
    FileStatus[] children = fs.listStatus(dir);
    return children.length > 0 && !fs.exists(new Path(dir, SUCCESS)) && !fs.exists(new Path(dir, STAGING));
  }

  /** Deletes everything at the output path (--overwrite). */
  void clear() throws IOException {
    if (fs.exists(dir)) {
      fs.delete(dir, true);
    }
  }

  /**
   * Removes what an interrupted run may have left (shards, index, staged attempts): a rerun
   * converts everything again, into the shards' final names. An empty {@code _staging} marks the
   * directory as quarry's incomplete output until {@code _SUCCESS} replaces it, so that a rerun after
   * a kill knows it for its own.
   */
  public void prepare() throws IOException {
    Path staging = new Path(dir, STAGING);
    fs.delete(staging, true);
    if (!fs.mkdirs(staging)) {
      throw new IOException(dir + ": the output directory cannot be created here; its parent must be a writable "
          + "directory");
    }
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (name.startsWith("model") && (name.endsWith(".safetensors") || name.equals(ModelReader.INDEX))) {
        fs.delete(f.getPath(), false);
      }
    }
  }

  /** Where executors stream the shards on a store without positioned writes: see {@link ShardDestination}. */
  public ShardDestination shardDestination() throws IOException {
    boolean finalNames = WholeFiles.writesAppearWhole(fs, dir);
    return new ShardDestination((finalNames ? dir : new Path(dir, STAGING)).toString(), finalNames);
  }

  /** The path (URI string) of {@code fileName} in the output directory. */
  public String pathOf(String fileName) {
    return new Path(dir, fileName).toString();
  }

  /** Moves a streamed shard (an attempt's file in the staging area) to its final path, unless it is there. */
  public void commitShard(String written, String target) throws IOException {
    if (!new Path(written).equals(new Path(target))) {
      FileSystems.commit(fs, new Path(written), new Path(target));
    }
  }

  public void writeJson(String fileName, Map<String, Object> content) throws IOException {
    TransformersJsonFile.write(fs, new Path(dir, fileName), content);
  }

  /** Copies the model's other files (tokenizer, generation config, ...) unchanged, each closed durably. */
  public void copyUnchanged(List<Path> files) throws IOException {
    for (Path f : files) {
      Path target = new Path(dir, f.getName());
      try (InputStream in = FileSystems.forPath(f).open(f); OutputStream out = NamedOutputStream.create(fs, target, true)) {
        in.transferTo(out);
      }
    }
  }

  /** After a failure: nothing of this run stays, and no directory the run created. */
  public void abandon() throws IOException {
    if (!existed) {
      fs.delete(dir, true);
      return;
    }
    if (fs.exists(dir)) {
      for (FileStatus f : fs.listStatus(dir)) {
        fs.delete(f.getPath(), true);
      }
    }
  }

  /** Deletes a staging area a completed run left (it was interrupted after writing _SUCCESS). */
  void removeStaging() throws IOException {
    fs.delete(new Path(dir, STAGING), true);
  }

  /**
   * Commits the output: forces every file in it to the disk (where the file system holds written
   * data in memory first), writes {@code _SUCCESS} with the identity of its conversion, then forces
   * the directory, so that no crash after this returns can leave a {@code _SUCCESS} over lost data.
   */
  public void finish(String identity) throws IOException {
    removeStaging();
    for (FileStatus f : fs.listStatus(dir)) {
      DurableFiles.sync(fs, f.getPath());
    }
    DurableFiles.sync(fs, dir);
    Path success = new Path(dir, SUCCESS);
    try (OutputStream out = NamedOutputStream.create(fs, success, true)) {
      out.write(identity.getBytes(StandardCharsets.UTF_8));
    }
    DurableFiles.sync(fs, success);
    DurableFiles.sync(fs, dir);
  }
}
