package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.testing.InterruptedConversion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conversion into HDFS (MiniDFSCluster, loopback) whose driver JVM is killed while its parts are
 * uploaded, once two shards' uploads were completed (joined and renamed to their names) and recorded:
 * the rerun keeps those shards, uploads only the others, and gives the bytes of a local run.
 */
class ResumeHdfsIT {
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
  void aRerunIntoHdfsKeepsTheShardsUploadedBeforeAKill() throws Exception {
    Path output = new Path(hdfs.getURI() + "/out/nf4-dq");
    InterruptedConversion.assertRerunKeepsTheShardsUploadedBeforeAKill(dir, List.of(), hdfs.getFileSystem(), output);
    // the part directories of the shards the killed run had not completed, beside the output: the rerun removed them
    List<String> beside = new ArrayList<>();
    for (FileStatus f : hdfs.getFileSystem().listStatus(output.getParent())) {
      beside.add(f.getPath().getName());
    }
    assertEquals(List.of("nf4-dq"), beside, "part directories left beside the output");
  }
}
