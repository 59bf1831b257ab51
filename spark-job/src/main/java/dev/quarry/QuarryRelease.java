package dev.quarry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The quarry version this build is: the Maven project version, written into a resource at build time. */
public final class QuarryRelease {
  static final String RESOURCE = "/dev/quarry/cli/version.properties";

  private QuarryRelease() {}

  public static String version() {
    Properties p = new Properties();
    try (InputStream in = QuarryRelease.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from the build");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }
}
