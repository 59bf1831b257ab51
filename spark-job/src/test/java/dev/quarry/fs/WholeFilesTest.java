package dev.quarry.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local disk shows a file while it is written, so quarry writes there under a temporary name and
 * renames (S3aIT shows the object-store side). Abandoning a local stream changes nothing in it.
 */
class WholeFilesTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void localWritesDoNotAppearWhole() throws IOException {
    Path path = new Path(dir.toUri());
    FileSystem fs = FileSystems.forPath(path);
    assertFalse(WholeFiles.writesAppearWhole(fs, path));
    Path file = new Path(path, "partial.bin");
    try (FSDataOutputStream out = fs.create(file, true)) {
      out.write(new byte[] {1, 2, 3});
      WholeFiles.abandon(out);
    }
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("partial.bin")));
  }
}
