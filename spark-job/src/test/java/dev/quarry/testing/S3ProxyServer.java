package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server on loopback for the s3a:// tests: S3Proxy (from Maven Central, copied to
 * target/s3proxy by the build) in its own JVM, storing in memory and checking every request's AWS
 * signature against one access key and a secret made up per run. A missing jar or a server that does
 * not come up fails the test, with what is missing.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "quarry-test-key";
  private static final long START_MILLIS = 60_000;

  private final Process process;
  private final Path log;
  private final String endpoint;
  private final String secret;

  private S3ProxyServer(Process process, Path log, String endpoint, String secret) {
    this.process = process;
    this.log = log;
    this.endpoint = endpoint;
    this.secret = secret;
  }

  public static S3ProxyServer start(Path dir) throws IOException, InterruptedException {
    String jar = System.getProperty("quarry.s3proxy.jar");
    assertTrue(jar != null && Files.isRegularFile(Path.of(jar)),
        "the S3 server jar is missing (" + jar + "): the spark-job pom copies org.gaul:s3proxy to target/s3proxy "
            + "before the integration tests; run them with 'mvn verify'");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    String secret = "quarry-secret-" + UUID.randomUUID();
    Path properties = dir.resolve("s3proxy.properties");
    Path log = dir.resolve("s3proxy.log");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + secret,
        "jclouds.provider=transient",
        "jclouds.identity=unused",
        "jclouds.credential=unused"));
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar, "--properties", properties.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    S3ProxyServer server = new S3ProxyServer(p, log, endpoint, secret);
    server.awaitUp();
    return server;
  }

  /** Waits until the server answers HTTP (any status: an unsigned request is refused, which is an answer). */
  private void awaitUp() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        fail("the S3 server exited at start (exit code " + process.exitValue() + "):\n" + Files.readString(log));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint).toURL().openConnection();
        c.setConnectTimeout(1000);
        c.getResponseCode();
        c.disconnect();
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    close();
    fail("the S3 server did not answer at " + endpoint + " within " + START_MILLIS / 1000 + " s:\n" + Files.readString(log));
  }

  /** The server's process id: it is a child JVM of the test, beside any executor. */
  public long pid() {
    return process.pid();
  }

  public String secret() {
    return secret;
  }

  /** The s3a settings of this server as Hadoop properties, with the given secret. */
  public Map<String, String> hadoopProperties(String secretKey) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("fs.s3a.endpoint", endpoint);
    p.put("fs.s3a.endpoint.region", "us-east-1");
    p.put("fs.s3a.path.style.access", "true");
    p.put("fs.s3a.connection.ssl.enabled", "false");
    p.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    p.put("fs.s3a.access.key", ACCESS_KEY);
    p.put("fs.s3a.secret.key", secretKey);
    // S3Proxy refuses the checksum header the AWS SDK now puts on bulk deletes: delete one object at a time
    p.put("fs.s3a.multiobjectdelete.enable", "false");
    p.put("fs.s3a.attempts.maximum", "1");
    p.put("fs.s3a.retry.limit", "1");
    return p;
  }

  /** The same as Spark properties ({@code spark.hadoop.} prefixed), the way a user passes them to quarry. */
  public Map<String, String> sparkProperties(String secretKey) {
    Map<String, String> p = new LinkedHashMap<>();
    hadoopProperties(secretKey).forEach((k, v) -> p.put("spark.hadoop." + k, v));
    return p;
  }

  public void createBucket(String name) {
    try (S3Client s3 = S3Client.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, secret)))
        .build()) {
      s3.createBucket(b -> b.bucket(name));
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
