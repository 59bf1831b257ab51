package dev.quarry.convert;

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
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;

/**
 * The output directory of a conversion. Work happens under {@code _staging/<key>}; the shards are
 * renamed into place when all are written (on an object store they are written in place, see
 * {@link ShardDestination}), then the JSON files and the copied model files follow,
 * and {@code _SUCCESS} (holding the {@link ConversionIdentity}) comes last: an output without it is
 * incomplete and is redone by the next run, which reuses the staged blocks of the same plan; an
 * output with it is left alone. A failed run removes what it wrote, and the directory too when the
 * run created it.
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
   * Removes what an interrupted run may have left (shards, index, other runs' staging) and returns
   * the staging dir of {@code key}, keeping what a run of the same plan staged there.
   */
  public String prepare(String key) throws IOException {
    fs.mkdirs(dir);
    Path stagingRoot = new Path(dir, STAGING);
    if (fs.exists(stagingRoot)) {
      for (FileStatus f : fs.listStatus(stagingRoot)) {
        if (!f.getPath().getName().equals(key)) {
          fs.delete(f.getPath(), true);
        }
      }
    }
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (name.startsWith("model") && (name.endsWith(".safetensors") || name.equals(ModelReader.INDEX))) {
        fs.delete(f.getPath(), false);
      }
    }
    Path staging = new Path(stagingRoot, key);
    fs.mkdirs(staging);
    return staging.toString();
  }

  /** Where executors write the shards: see {@link ShardDestination}. */
  public ShardDestination shardDestination(String staging) throws IOException {
    boolean finalNames = WholeFiles.writesAppearWhole(fs, dir);
    return new ShardDestination(finalNames ? dir.toString() : staging, finalNames);
  }

  /** Moves an assembled shard (an attempt's file in the staging area) to its final name, unless it is there. */
  public void commitShard(String written, String fileName) throws IOException {
    Path target = new Path(dir, fileName);
    if (!new Path(written).equals(target)) {
      FileSystems.commit(fs, new Path(written), target);
    }
  }

  public void writeJson(String fileName, Map<String, Object> content) throws IOException {
    TransformersJsonFile.write(fs, new Path(dir, fileName), content);
  }

  public void copyUnchanged(List<Path> files) throws IOException {
    for (Path f : files) {
      Path target = new Path(dir, f.getName());
      try {
        FileUtil.copy(FileSystems.forPath(f), f, fs, target, false, true, fs.getConf());
      } catch (IOException e) {
        throw NamedOutputStream.named(target, e);
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

  /** Marks the output complete with the identity of its conversion, then deletes the staging area. */
  public void finish(String identity) throws IOException {
    Path success = new Path(dir, SUCCESS);
    try (OutputStream out = NamedOutputStream.create(fs, success, true)) {
      out.write(identity.getBytes(StandardCharsets.UTF_8));
    }
    removeStaging();
  }
}
