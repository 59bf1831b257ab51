package dev.quarry.zoo;

import dev.quarry.testing.LockRace;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs racing for the lock of a local output root, free or stale: one gets it, every time. */
class ZooLockRaceTest {
  @TempDir
  Path dir;

  @Test
  void exactlyOneOfTwoRacingRunsTakesALocalLock() throws Exception {
    LockRace.race(dir.resolve("zoo").toString(), 300);
  }

  @Test
  void exactlyOneOfTwoRacingRunsTakesOverAStaleLock() throws Exception {
    LockRace.raceForAStaleLock(dir.resolve("zoo").toString(), 200);
  }
}
