package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.testing.CliRun;
import dev.quarry.testing.InterruptedConversion;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.ThrottledFileSystem;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conversion into HDFS (MiniDFSCluster, loopback) whose driver JVM is killed once three shards are
 * streamed, renamed into place and recorded complete: the rerun keeps those three and gives the bytes
 * of a local run.
 */
class ResumeHdfsIT {
  private static final long READ_MILLIS = 300;

  @TempDir
  static java.nio.file.Path dir;

  private static MiniDFSCluster hdfs;

  @BeforeAll
  static void start() throws IOException {
    Configuration conf = new Configuration();
    for (String address : List.of("dfs.namenode.http-address", "dfs.datanode.address", "dfs.datanode.http.address",
        "dfs.datanode.ipc.address")) {
      conf.set(address, "127.0.0.1:0");
    }
    hdfs = new MiniDFSCluster.Builder(conf, dir.resolve("hdfs").toFile()).numDataNodes(1).build();
    hdfs.waitActive();
  }

  @AfterAll
  static void stop() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void aRerunIntoHdfsKeepsTheShardsTheKilledRunCompleted() throws Exception {
    String input = ThrottledFileSystem.uri(READ_MILLIS, ReferenceData.file("tiny-llama/input/config.json").getParent());
    java.nio.file.Path local = dir.resolve("local");
    CliRun cli = new CliRun();
    assertEquals(0, cli.run(InterruptedConversion.command(input, local.toString())), cli.err());
    FileSystem fs = hdfs.getFileSystem();
    Path output = new Path(hdfs.getURI() + "/out/nf4-dq");
    InterruptedConversion.assertRerunKeepsTheRecordedShards(dir, List.of(), InterruptedConversion.command(input, output.toString()),
        fs, output, local, InterruptedConversion.written(cli.out()));
  }
}
