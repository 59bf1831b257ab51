package dev.quarry.convert.store;

import dev.quarry.convert.read.ModelReader;
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
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output directory of a conversion. The shards are written at their final names (on a store
 * without positioned writes, streamed under {@code _staging} and renamed into place, or on an
 * object store uploaded to their final names: {@link ShardDestination}), then the JSON files and
 * the copied model files follow, everything is forced to disk, and {@code _SUCCESS} (holding the
 * {@link dev.quarry.manifest.ConversionIdentity}) comes last: an output without it is incomplete, and
 * the next run of the same conversion keeps only its shards that completion records vouch for
 * ({@link dev.quarry.convert.commit.KeptShards}); an output with it is left alone. A failed run removes what it wrote,
 * and the directory too when the run created it.
 */
public final class OutputStore {
  public static final String SUCCESS = "_SUCCESS";
  static final String STAGING = "_staging";
  /** Far more than any identity or completion record; a larger _SUCCESS or record is not quarry's. */
  private static final int MAX_SUCCESS_BYTES = 16 << 20;

  private final FileSystem fs;
  private final Path dir;
  private final boolean existed;

  public OutputStore(Path dir) throws IOException {
    this.fs = FileSystems.forPath(dir);
    this.dir = fs.makeQualified(dir);
    this.existed = fs.exists(this.dir);
  }

  public FileSystem fs() {
    return fs;
  }

  public Path dir() {
    return dir;
  }

  /** The content of {@code _SUCCESS} (the identity of the conversion that completed the output), or null. */
  public String completedBy() throws IOException {
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
  public boolean holdsOtherFiles() throws IOException {
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
  public void clear() throws IOException {
    if (fs.exists(dir)) {
      fs.delete(dir, true);
    }
  }

  /**
   * Makes the directory quarry's incomplete output: an empty {@code _staging} marks it so until
   * {@code _SUCCESS} replaces it, so that a rerun after a kill knows it for its own. Of what an
   * interrupted run left, the index and the streamed attempts go; its shards and their completion
   * records ({@link ShardRecord}) stay until {@link dev.quarry.convert.commit.KeptShards} has decided which shards this run keeps.
   */
  public void prepare() throws IOException {
    Path staging = new Path(dir, STAGING);
    if (!fs.mkdirs(staging)) {
      throw new IOException(dir + ": the output directory cannot be created here; its parent must be a writable "
          + "directory");
    }
    for (FileStatus f : fs.listStatus(staging)) {
      if (!f.getPath().getName().endsWith(ShardRecord.SUFFIX)) {
        fs.delete(f.getPath(), true);
      }
    }
    fs.delete(new Path(dir, ModelReader.INDEX), false);
  }

  /** Where the completion record of the shard {@code shardName} goes. */
  public Path recordOf(String shardName) {
    return new Path(new Path(dir, STAGING), shardName + ShardRecord.SUFFIX);
  }

  /** The bytes of the completion record of the shard {@code shardName}, or null when there is none. */
  public byte[] record(String shardName) throws IOException {
    Path path = recordOf(shardName);
    if (!fs.exists(path)) {
      return null;
    }
    if (fs.getFileStatus(path).getLen() > MAX_SUCCESS_BYTES) {
      return new byte[0]; // not a record quarry wrote
    }
    try (InputStream in = fs.open(path)) {
      return in.readAllBytes();
    }
  }

  /**
   * Deletes every shard file and completion record but those of the shards named in {@code kept}:
   * what is left of an interrupted run that this run converts again.
   */
  public void removeShardsBut(Set<String> kept) throws IOException {
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (name.startsWith("model") && name.endsWith(".safetensors") && !kept.contains(name)) {
        fs.delete(f.getPath(), false);
      }
    }
    for (FileStatus f : fs.listStatus(new Path(dir, STAGING))) {
      String name = f.getPath().getName();
      if (!name.endsWith(ShardRecord.SUFFIX) || !kept.contains(name.substring(0, name.length() - ShardRecord.SUFFIX.length()))) {
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
  public void removeStaging() throws IOException {
    fs.delete(new Path(dir, STAGING), true);
  }

  /**
   * Commits the output: forces every file in it to the disk (where the file system holds written
   * data in memory first), writes {@code _SUCCESS} with the identity of its conversion, then forces
   * the directory, so that no crash after this returns can leave a {@code _SUCCESS} over lost data.
   * {@code _staging} goes last: a kill before {@code _SUCCESS} must leave the marker (and the completion
   * records) so that the rerun knows the output for its own and resumes it; one after it leaves a
   * staging area the rerun removes.
   */
  public void finish(String identity) throws IOException {
    for (FileStatus f : fs.listStatus(dir)) {
      if (!f.getPath().getName().equals(STAGING)) {
        DurableFiles.sync(fs, f.getPath());
      }
    }
    DurableFiles.sync(fs, dir);
    Path success = new Path(dir, SUCCESS);
    try (OutputStream out = NamedOutputStream.create(fs, success, true)) {
      out.write(identity.getBytes(StandardCharsets.UTF_8));
    }
    DurableFiles.sync(fs, success);
    DurableFiles.sync(fs, dir);
    removeStaging();
  }
}
