package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.json.TransformersJsonFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;

/**
 * The output directory of a conversion. Work happens under {@code _staging/<run>}; the shards are
 * renamed into place when all are written, then the JSON files and the copied model files follow,
 * and {@code _SUCCESS} comes last: an output without it is incomplete and is redone by the next run;
 * an output with it is left alone.
 */
public final class OutputStore {
  public static final String SUCCESS = "_SUCCESS";
  static final String STAGING = "_staging";

  private final FileSystem fs;
  private final Path dir;

  public OutputStore(Path dir) throws IOException {
    this.fs = FileSystems.forPath(dir);
    this.dir = fs.makeQualified(dir);
  }

  public boolean isComplete() throws IOException {
    return fs.exists(new Path(dir, SUCCESS));
  }

  /** Removes what an interrupted run may have left (staging, shards, index) and returns a fresh staging dir. */
  public String prepare() throws IOException {
    fs.mkdirs(dir);
    fs.delete(new Path(dir, STAGING), true);
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (name.startsWith("model") && (name.endsWith(".safetensors") || name.equals(ModelReader.INDEX))) {
        fs.delete(f.getPath(), false);
      }
    }
    Path staging = new Path(new Path(dir, STAGING), UUID.randomUUID().toString());
    fs.mkdirs(staging);
    return staging.toString();
  }

  /** Moves an assembled shard (an attempt's file in the staging area) to its final name. */
  public void commitShard(String written, String fileName) throws IOException {
    FileSystems.commit(fs, new Path(written), new Path(dir, fileName));
  }

  public void writeJson(String fileName, Map<String, Object> content) throws IOException {
    TransformersJsonFile.write(fs, new Path(dir, fileName), content);
  }

  public void copyUnchanged(List<Path> files) throws IOException {
    for (Path f : files) {
      FileUtil.copy(FileSystems.forPath(f), f, fs, new Path(dir, f.getName()), false, true, fs.getConf());
    }
  }

  /** After a failure: removes the staging area; the output stays incomplete (no _SUCCESS). */
  public void abandon() throws IOException {
    fs.delete(new Path(dir, STAGING), true);
  }

  /** Deletes the staging area and marks the output complete. */
  public void finish() throws IOException {
    fs.delete(new Path(dir, STAGING), true);
    fs.create(new Path(dir, SUCCESS), true).close();
  }
}
