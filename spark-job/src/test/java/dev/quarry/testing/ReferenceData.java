package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The shared reference data ({@code ../shared/reference}), passed by surefire as the system
 * property {@code quarry.reference.dir}. A missing file fails the test with what is missing.
 */
public final class ReferenceData {
  private ReferenceData() {}

  public static Path dir() {
    String dir = System.getProperty("quarry.reference.dir");
    if (dir == null) {
      fail("system property quarry.reference.dir is not set (surefire sets it to ../shared/reference)");
    }
    return Paths.get(dir);
  }

  /** A file under the reference directory, e.g. {@code tiny-llama/hf-nf4/model.safetensors}. */
  public static Path file(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.isRegularFile(p)) {
      fail("reference data missing: " + p + " (expected the shared reference data under " + dir() + ")");
    }
    return p;
  }

  /** The n-th (1-based) of the 5 input shards of the reference tiny-llama. */
  public static Path tinyLlamaShard(int n) {
    return file(String.format("tiny-llama/input/model-%05d-of-00005.safetensors", n));
  }
}
