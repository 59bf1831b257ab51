package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.convert.store.OutputStore;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Compares a conversion's output on any Hadoop file system with one in a local directory, byte for
 * byte, except for the two files that record where the input was read from: {@code _SUCCESS} (the
 * conversion's identity) and the manifest, whose tensor rows and settings must still be equal.
 */
public final class OutputTrees {
  private OutputTrees() {}

  public static void assertIdentical(java.nio.file.Path expected, FileSystem fs, Path actual) throws IOException {
    List<String> expectedNames;
    try (Stream<java.nio.file.Path> files = Files.list(expected)) {
      expectedNames = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(expectedNames, names(fs, actual), "files of " + actual);
    for (String name : expectedNames) {
      if (name.equals(OutputStore.SUCCESS)) {
        continue;
      }
      if (name.equals(Manifest.FILE_NAME)) {
        Manifest local = ManifestFile.read(LocalFiles.fs(), LocalFiles.hadoopPath(expected.resolve(name)));
        Manifest remote = ManifestFile.read(fs, new Path(actual, name));
        assertEquals(local.rows(), remote.rows(), "manifest rows of " + actual);
        assertEquals(local.settings(), remote.settings(), "manifest settings of " + actual);
        continue;
      }
      try (InputStream in = fs.open(new Path(actual, name))) {
        assertArrayEquals(Files.readAllBytes(expected.resolve(name)), in.readAllBytes(), name + " differs");
      }
    }
  }

  public static List<String> names(FileSystem fs, Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus f : fs.listStatus(dir)) {
      names.add(f.getPath().getName());
    }
    names.sort(null);
    return names;
  }
}
