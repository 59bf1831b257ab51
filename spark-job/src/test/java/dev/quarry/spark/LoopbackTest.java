package dev.quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.LocalCluster;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark started by quarry or its tests listens on and advertises 127.0.0.1 only: a user's local run
 * (the driver's RPC and block manager ports take no authentication) and a local cluster's Workers,
 * executors and block managers. Where the machine has an external interface, nothing is reachable on
 * it at those ports.
 */
class LoopbackTest {
  private static final String LOOPBACK = "127.0.0.1";

  @TempDir
  Path dir;

  @Test
  void aLocalRunListensOnLoopbackOnly() throws IOException {
    try (JavaSparkContext sc = SparkContexts.start("LoopbackTest", "local[1]")) {
      SparkEnv env = sc.sc().env();
      assertEquals(LOOPBACK, sc.getConf().get("spark.driver.bindAddress"));
      assertEquals(LOOPBACK, sc.getConf().get("spark.driver.host"));
      assertEquals(LOOPBACK, env.rpcEnv().address().host(), "driver RPC");
      assertEquals(LOOPBACK, env.blockManager().blockManagerId().host(), "block manager");
      assertUnreachableFromOutside(env.rpcEnv().address().port());
      assertUnreachableFromOutside(env.blockManager().blockManagerId().port());
    }
  }

  @Test
  void theUsersDriverAddressWins() {
    System.setProperty("spark.driver.host", "localhost");
    try (JavaSparkContext sc = SparkContexts.start("LoopbackTest", "local[1]")) {
      assertEquals("localhost", sc.getConf().get("spark.driver.host"));
      assertEquals(LOOPBACK, sc.getConf().get("spark.driver.bindAddress"));
    } finally {
      System.clearProperty("spark.driver.host");
    }
  }

  /** A cluster's addresses are its own configuration's: quarry sets none. */
  @Test
  void aClusterRunKeepsTheClustersAddresses() {
    assertFalse(SparkContexts.localDefaults("spark://cluster.example:7077").containsKey("spark.driver.host"));
    assertEquals(LOOPBACK, SparkContexts.localDefaults("local[*]").get("spark.driver.host"));
  }

  @Test
  void aLocalClustersExecutorsRegisterOnLoopback() throws Exception {
    JavaSparkContext sc = LocalCluster.start("LoopbackTest", 2, dir);
    try {
      LocalCluster.awaitExecutors(sc, 2, 240_000);
      List<String> hosts = LocalCluster.advertisedHosts(sc);
      // the status tracker lists the driver and 2 executors, the block manager master their 3 block managers
      assertEquals(Collections.nCopies(6, LOOPBACK), hosts);
      for (var executor : sc.statusTracker().getExecutorInfos()) {
        assertUnreachableFromOutside(executor.port());
      }
    } finally {
      LocalCluster.stop(sc);
    }
  }

  /** Nothing listens at {@code port} on any of the machine's external IPv4 addresses. */
  private static void assertUnreachableFromOutside(int port) throws IOException {
    assertTrue(port > 0, "port " + port);
    for (InetAddress external : externalAddresses()) {
      assertThrows(ConnectException.class, () -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(external, port), 2000);
        }
      }, "port " + port + " answers on " + external.getHostAddress());
    }
  }

  private static List<InetAddress> externalAddresses() throws SocketException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp() && !nif.isLoopback()) {
        nif.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(addresses::add);
      }
    }
    return addresses;
  }
}
