package dev.quarry.convert.inprocess;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The hidden scratch file of one quantization beside its output: {@code .<out>.<uuid>.tmp}, the
 * output until it is complete. A run deletes its own on the way out; a killed run cannot, so the
 * next run for the same output deletes what such runs left ({@code .staging} files too: builds
 * before quarry quantize ran convert's block path staged quantized pieces in them).
 */
final class ScratchFiles {
  private ScratchFiles() {}

  /** A new scratch file's path for {@code out}. */
  static Path temporary(Path out) {
    return new Path(out.getParent(), "." + out.getName() + "." + UUID.randomUUID() + ".tmp");
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
