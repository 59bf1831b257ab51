package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Compares a conversion's output on any Hadoop file system with one in a local directory, byte for byte. */
public final class OutputTrees {
  private OutputTrees() {}

  public static void assertIdentical(java.nio.file.Path expected, FileSystem fs, Path actual) throws IOException {
    List<String> expectedNames;
    try (Stream<java.nio.file.Path> files = Files.list(expected)) {
      expectedNames = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(expectedNames, names(fs, actual), "files of " + actual);
    for (String name : expectedNames) {
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
