package dev.quarry.verify;

import dev.quarry.fs.FileSystems;
import dev.quarry.safetensors.ShardSplitter;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Compares tensors byte for byte between two files each, on Spark (tensors grouped into tasks of
 * about {@link #TASK_BYTES}); returns only the tensors that differ.
 */
final class ByteComparison {
  static final long TASK_BYTES = 64L << 20;
  private static final int BUFFER_BYTES = 1 << 20;

  private ByteComparison() {}

  static List<TensorDifference> differences(JavaSparkContext sc, List<TensorPair> pairs) throws IOException {
    List<List<TensorPair>> tasks = ShardSplitter.split(pairs, TensorPair::length, TASK_BYTES);
    if (tasks.isEmpty()) {
      return List.of();
    }
    return SparkJobs.collect(sc.parallelize(tasks, tasks.size()).flatMap(t -> compare(t).iterator()));
  }

  private static List<TensorDifference> compare(List<TensorPair> pairs) throws IOException {
    List<TensorDifference> out = new ArrayList<>();
    byte[] a = new byte[BUFFER_BYTES];
    byte[] b = new byte[BUFFER_BYTES];
    for (TensorPair p : pairs) {
      long differing = 0;
      long first = -1;
      try (FSDataInputStream inA = open(p.fileA()); FSDataInputStream inB = open(p.fileB())) {
        for (long done = 0; done < p.length(); done += BUFFER_BYTES) {
          int n = (int) Math.min(BUFFER_BYTES, p.length() - done);
          inA.readFully(p.offsetA() + done, a, 0, n);
          inB.readFully(p.offsetB() + done, b, 0, n);
          for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
              first = first < 0 ? done + i : first;
              differing++;
            }
          }
        }
      }
      if (differing > 0) {
        out.add(new TensorDifference(p.tensor(), differing, first));
      }
    }
    return out;
  }

  private static FSDataInputStream open(String file) throws IOException {
    Path path = new Path(file);
    return FileSystems.forPath(path).open(path);
  }
}
