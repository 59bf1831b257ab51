package dev.quarry.zoo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** Who holds a zoo lock: host, process id, when it started (epoch ms), its spec, and a token unique to the run. */
public record LockOwner(String host, long pid, long started, String spec, String token) {
  static LockOwner current(String spec) {
    return new LockOwner(localHost(), ProcessHandle.current().pid(), System.currentTimeMillis(), spec,
        UUID.randomUUID().toString());
  }

  static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** Dead for certain only on this host, where the process table can be asked. */
  boolean deadOnThisHost() {
    return host.equals(localHost()) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }
}
