package dev.quarry.manifest;

import dev.quarry.fs.FileSystems;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.ShardSplitter;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The CRC32C of every tensor of some safetensors files, computed on Spark: the driver reads the
 * headers and groups each file's tensors, in data order, into tasks of about {@link #TASK_BYTES}
 * (a tensor is never split: CRCs of pieces do not simply combine); executors stream the bytes.
 */
public final class TensorChecksums {
  static final long TASK_BYTES = 64L << 20;
  private static final int BUFFER_BYTES = 1 << 20;

  private TensorChecksums() {}

  /** File name → tensor name → CRC32C. */
  public static Map<String, Map<String, Long>> compute(JavaSparkContext sc, List<Path> files) throws IOException {
    List<ChecksumTask> tasks = new ArrayList<>();
    for (Path file : files) {
      tasks.addAll(tasks(file));
    }
    Map<String, Map<String, Long>> crcs = new HashMap<>();
    for (Path file : files) {
      crcs.put(file.getName(), new HashMap<>());
    }
    if (tasks.isEmpty()) {
      return crcs;
    }
    for (TensorChecksum c : SparkJobs.collect(sc.parallelize(tasks, tasks.size()).flatMap(t -> checksums(t).iterator()))) {
      crcs.get(c.file()).put(c.tensor(), c.crc32c());
    }
    return crcs;
  }

  private static List<ChecksumTask> tasks(Path file) throws IOException {
    FileSystem fs = FileSystems.forPath(file);
    List<ChecksumTask> tasks = new ArrayList<>();
    try (SafetensorsFile f = SafetensorsFile.open(fs, file)) {
      List<TensorRange> ranges = new ArrayList<>();
      for (TensorEntry t : f.header().tensors()) {
        ranges.add(new TensorRange(t.name(), f.header().dataStart() + t.begin(), t.byteSize()));
      }
      for (List<TensorRange> group : ShardSplitter.split(ranges, TensorRange::length, TASK_BYTES)) {
        tasks.add(new ChecksumTask(fs.makeQualified(file).toString(), group));
      }
    }
    return tasks;
  }

  static List<TensorChecksum> checksums(ChecksumTask task) throws IOException {
    Path path = new Path(task.file());
    byte[] buffer = new byte[BUFFER_BYTES];
    List<TensorChecksum> out = new ArrayList<>();
    try (FSDataInputStream in = FileSystems.forPath(path).open(path)) {
      for (TensorRange t : task.tensors()) {
        CRC32C crc = new CRC32C();
        for (long done = 0; done < t.length(); ) {
          int n = (int) Math.min(buffer.length, t.length() - done);
          in.readFully(t.offset() + done, buffer, 0, n);
          crc.update(buffer, 0, n);
          done += n;
        }
        out.add(new TensorChecksum(path.getName(), t.tensor(), crc.getValue()));
      }
    }
    return out;
  }
}
