package dev.quarry.quantize;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The hidden scratch files of one quantization beside its output: {@code .<out>.<uuid>.staging}
 * (quantized pieces) and {@code .<out>.<uuid>.tmp} (the output until it is complete). A run deletes
 * its own on the way out; a killed run cannot, so the next run for the same output deletes what
 * such runs left.
 */
final class ScratchFiles {
  private final Path temporary;
  private final Path staging;

  ScratchFiles(Path out) {
    String unique = "." + out.getName() + "." + UUID.randomUUID();
    this.temporary = new Path(out.getParent(), unique + ".tmp");
    this.staging = new Path(out.getParent(), unique + ".staging");
  }

  Path temporary() {
    return temporary;
  }

  Path staging() {
    return staging;
  }

  /** Deletes the scratch files earlier runs for {@code out} left (killed before they could). */
  static void removeLeftovers(FileSystem fs, Path out) throws IOException {
    Pattern mine = Pattern.compile(Pattern.quote("." + out.getName() + ".")
        + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.(tmp|staging)");
    if (!fs.exists(out.getParent())) {
      return;
    }
    for (FileStatus f : fs.listStatus(out.getParent())) {
      if (f.isFile() && mine.matcher(f.getPath().getName()).matches()) {
        fs.delete(f.getPath(), false);
      }
    }
  }
}
