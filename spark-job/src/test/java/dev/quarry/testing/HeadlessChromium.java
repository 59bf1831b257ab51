package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real browser for tests of quarry's HTML: Debian's {@code chromium}, headless, on a file://
 * URL, with a fresh profile per run and nothing that reaches the network (no updates, sync, QUIC
 * or background requests). A missing browser fails the test with what to install.
 */
public final class HeadlessChromium {
  private static final long TIMEOUT_SECONDS = 180;
  private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

  private final Path binary;
  private final Path work;

  private HeadlessChromium(Path binary, Path work) {
    this.binary = binary;
    this.work = work;
  }

  /** The browser, with {@code work} for its profiles and logs. */
  public static HeadlessChromium find(Path work) {
    for (String c : CANDIDATES) {
      if (Files.isExecutable(Path.of(c))) {
        return new HeadlessChromium(Path.of(c), work);
      }
    }
    return fail("headless Chromium is missing (none of " + CANDIDATES + "): install the Debian package 'chromium' "
        + "(apt-get install -y chromium; .ci/run does it when it is missing)");
  }

  /** Renders {@code page} in a window of the given size and saves what it shows as a PNG. */
  public Path screenshot(Path page, int width, int height) throws IOException, InterruptedException {
    Path png = work.resolve("screenshot-" + System.nanoTime() + ".png");
    run(page, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars");
    assertTrue(Files.size(png) > 0, "chromium wrote no screenshot to " + png);
    return png;
  }

  /** The page's DOM as the browser built it (after parsing: what would run, not the file's text). */
  public String dumpDom(Path page) throws IOException, InterruptedException {
    return run(page, "--dump-dom");
  }

  private String run(Path page, String... action) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(work, "chromium-profile-");
    Path log = work.resolve("chromium-" + System.nanoTime() + ".log");
    Path out = work.resolve("chromium-" + System.nanoTime() + ".out");
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--force-device-scale-factor=1", "--force-color-profile=srgb",
        "--user-data-dir=" + profile));
    command.addAll(List.of(action));
    command.add(page.toUri().toString());
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      fail("chromium did not finish within " + TIMEOUT_SECONDS + " s:\n" + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      fail("chromium exited with " + p.exitValue() + ":\n" + Files.readString(log));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
