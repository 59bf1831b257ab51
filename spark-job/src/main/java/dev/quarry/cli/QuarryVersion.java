package dev.quarry.cli;

import dev.quarry.QuarryRelease;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: quarry's version and the Java it runs on. */
final class QuarryVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"quarry " + QuarryRelease.version(),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
  }
}
