package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared reference data ({@code ../shared/reference}), located by the surefire system property. */
final class ReferenceDir {
  static final String PROPERTY = "quarry.reference.dir";

  private ReferenceDir() {
  }

  /** A file of the reference data; fails the test (never skips) when it is missing. */
  static Path file(String relative) {
    String dir = System.getProperty(PROPERTY, "../../shared/reference");
    Path path = Path.of(dir).resolve(relative);
    if (!Files.isRegularFile(path)) {
      fail("reference data missing: " + path.toAbsolutePath() + " (set -D" + PROPERTY
          + "=<dir> to the shared reference directory)");
    }
    return path;
  }
}
