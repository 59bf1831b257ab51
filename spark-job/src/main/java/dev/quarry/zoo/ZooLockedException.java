package dev.quarry.zoo;

import java.io.IOException;

/** Another zoo run holds the lock of the output root. */
public final class ZooLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  ZooLockedException(String lock, LockOwner owner) {
    super(lock + ": another zoo run holds the lock (" + (owner == null ? "owner unreadable"
        : "pid " + owner.pid() + " on " + owner.host() + " since " + java.time.Instant.ofEpochMilli(owner.started())
            + ", spec " + owner.spec()) + "); remove the file if that run is gone");
  }
}
