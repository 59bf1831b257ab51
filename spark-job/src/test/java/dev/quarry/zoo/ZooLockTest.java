package dev.quarry.zoo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a lock file's content can and cannot make a run do. */
class ZooLockTest {
  @TempDir
  Path dir;

  @Test
  void aStaleLockWhoseTokenIsAPathMakesNoFileOutsideTheRoot() throws Exception {
    Path root = Files.createDirectories(dir.resolve("zoo"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(root.resolve(ZooLock.FILE), "{\"host\": \"" + InetAddress.getLocalHost().getHostName()
        + "\", \"pid\": " + gone.pid() + ", \"started\": 0, \"spec\": \"old.yaml\", \"token\": \"x/../../outside\"}");
    try (ZooLock lock = ZooLock.acquire(root.toString(), "zoo.yaml", Duration.ofHours(1))) {
      assertFalse(Files.exists(dir.resolve("outside")), "a file named by the stale lock's token, outside the root");
      assertTrue(Files.readString(root.resolve(ZooLock.FILE)).contains("\"spec\":\"zoo.yaml\""), "taken over");
    }
    assertFalse(Files.exists(root.resolve(ZooLock.FILE)), "released");
  }
}
