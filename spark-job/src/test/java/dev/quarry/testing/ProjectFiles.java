package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the project checkout the submit and cluster tests use: scripts, conf and the build's outputs. */
public final class ProjectFiles {
  private ProjectFiles() {}

  /** The project root (the pom passes it as {@code quarry.project.root}). */
  public static Path root() {
    String root = System.getProperty("quarry.project.root");
    assertTrue(root != null && Files.isDirectory(Path.of(root)),
        "system property quarry.project.root (set by the spark-job pom) is missing or not a directory: " + root);
    return Path.of(root);
  }

  /** A file the package phase wrote under spark-job/target (the failing message names the build step). */
  public static Path built(String relative) {
    Path p = root().resolve("spark-job/target").resolve(relative);
    assertTrue(Files.exists(p), p + " is missing: run 'mvn package' (it is written by the package phase)");
    return p;
  }
}
