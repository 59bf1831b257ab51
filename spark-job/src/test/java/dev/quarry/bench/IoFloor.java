package dev.quarry.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The I/O a conversion cannot avoid, timed: read every input shard once, write as many bytes as the output holds. */
final class IoFloor {
  private static final int BUFFER = 8 << 20;

  private IoFloor() {}

  static double seconds(FileSystem fs, Path inputDir, Path scratch, long outputBytes) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long start = System.nanoTime();
    for (FileStatus f : fs.listStatus(inputDir)) {
      if (f.getPath().getName().endsWith(".safetensors")) {
        try (InputStream in = fs.open(f.getPath())) {
          while (in.read(buffer) >= 0) {
            // reading is the point
          }
        }
      }
    }
    try (OutputStream out = fs.create(scratch, true)) {
      for (long done = 0; done < outputBytes; done += BUFFER) {
        out.write(buffer, 0, (int) Math.min(BUFFER, outputBytes - done));
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    fs.delete(scratch, false);
    return seconds;
  }
}
