package dev.quarry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the Maven project version, written into a resource at build time. */
final class QuarryVersion implements IVersionProvider {
  static final String RESOURCE = "/dev/quarry/cli/version.properties";

  @Override
  public String[] getVersion() {
    Properties p = new Properties();
    try (InputStream in = QuarryVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from the build");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String[] {"quarry " + p.getProperty("version"),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
  }
}
