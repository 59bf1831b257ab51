package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.InputLocality;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.fs.WholeFiles;
import dev.quarry.quantize.QuantMode;
import dev.quarry.spark.LocalizedTasks;
import dev.quarry.testing.OutputTrees;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SparkTestContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.net.NetUtils;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A real HDFS in the test JVM (MiniDFSCluster: a NameNode and three DataNodes on loopback, named
 * dn1..dn3, one replica per block and 256 KiB blocks, so the reference model's shards spread over all
 * three): conversions read and write hdfs:// and give the bytes of a local conversion, and the quantize
 * tasks prefer the DataNodes that hold their byte ranges.
 */
class HdfsIT {
  private static final long HDFS_BLOCK = 256 << 10;
  private static final long OUTPUT_BLOCK = 64 << 10;
  private static final String[] DATANODES = {"dn1", "dn2", "dn3"};

  @TempDir
  static java.nio.file.Path dir;

  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  private static JavaSparkContext sc;
  private static Path input;

  @BeforeAll
  static void start() throws IOException {
    Configuration conf = new Configuration();
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 0);
    // the output's block size, so its multipart uploads' part size: the model's shards are several parts each
    conf.setLong("dfs.blocksize", OUTPUT_BLOCK);
    // every server on loopback only (MiniDFSCluster's own choice too; said here, and held below)
    for (String address : List.of("dfs.namenode.http-address", "dfs.datanode.address", "dfs.datanode.http.address",
        "dfs.datanode.ipc.address")) {
      conf.set(address, "127.0.0.1:0");
    }
    hdfs = new MiniDFSCluster.Builder(conf, dir.resolve("hdfs").toFile()).numDataNodes(3).hosts(DATANODES).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    input = new Path(hdfs.getURI().toString() + "/models/tiny-llama");
    try (Stream<java.nio.file.Path> files = Files.list(ReferenceData.file("tiny-llama/input/config.json").getParent())) {
      for (java.nio.file.Path f : files.toList()) {
        try (OutputStream out = fs.create(new Path(input, f.getFileName().toString()), true, 1 << 16, (short) 1, HDFS_BLOCK)) {
          Files.copy(f, out);
        }
      }
    }
    sc = SparkTestContext.start("HdfsIT");
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void everyHdfsServerListensOnLoopback() {
    List<InetSocketAddress> addresses = new ArrayList<>();
    addresses.add(hdfs.getNameNode().getNameNodeAddress());
    addresses.add(hdfs.getNameNode().getHttpAddress());
    for (var dataNode : hdfs.getDataNodes()) {
      addresses.add(dataNode.getXferAddress());
      addresses.add(NetUtils.createSocketAddr(dataNode.getConf().get("dfs.datanode.http.address")));
      addresses.add(NetUtils.createSocketAddr(dataNode.getConf().get("dfs.datanode.ipc.address")));
    }
    assertEquals(2 + 3 * 3, addresses.size());
    for (InetSocketAddress address : addresses) {
      assertTrue(address.getAddress().isLoopbackAddress(), address + " is not loopback");
    }
  }

  /** Several modes in one run, on HDFS (each mode's shards multipart uploads, put in one job): each output is its local run's bytes. */
  @Test
  void convertsToSeveralModesOnHdfsAsLocally() throws IOException {
    String reference = ReferenceData.file("tiny-llama/input/config.json").getParent().toString();
    String parent = hdfs.getURI().toString() + "/out/modes";
    List<QuantMode> modes = List.of(QuantMode.NF4_DQ, QuantMode.INT8);
    List<ModeOutcome> outcomes = PreparedModes.prepare(modes.stream()
        .map(m -> ConvertOptions.of(input.toString(), ConvertOptions.modeOutput(parent, m), m)).toList())
        .run(sc, line -> {});
    for (int i = 0; i < modes.size(); i++) {
      assertEquals(null, outcomes.get(i).failure(), modes.get(i) + " failed");
      java.nio.file.Path local = dir.resolve("local-" + modes.get(i).cliName());
      ConversionJob.run(sc, ConvertOptions.of(reference, local.toString(), modes.get(i)), line -> {});
      OutputTrees.assertIdentical(local, fs, new Path(ConvertOptions.modeOutput(parent, modes.get(i))));
    }
  }

  /**
   * One shard and several (--max-shard-size): each shard is a multipart upload of 64 KiB parts (the
   * output's block size), put by one task each and joined by concat; the parts' directories, beside the
   * output, are gone, and so is one a killed run left.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 300 << 10})
  void convertsFromHdfsToHdfsAsLocallyInParts(long maxShardBytes) throws IOException {
    java.nio.file.Path local = dir.resolve("local-" + maxShardBytes);
    String reference = ReferenceData.file("tiny-llama/input/config.json").getParent().toString();
    ConversionJob.run(sc, shards(ConvertOptions.of(reference, local.toString(), QuantMode.NF4_DQ), maxShardBytes), line -> {});
    Path out = new Path(hdfs.getURI().toString() + "/out/nf4-dq-" + maxShardBytes);
    // the parts of an upload a killed run left, where Hadoop's uploader puts them: beside the output
    Path leftover = new Path(out.getParent(), out.getName() + "model_multipart_" + maxShardBytes);
    try (OutputStream part = fs.create(new Path(leftover, "1.part"))) {
      part.write(1);
    }
    List<String> log = new ArrayList<>();
    ConvertSummary s = ConversionJob.run(sc,
        shards(ConvertOptions.of(input.toString(), out.toString(), QuantMode.NF4_DQ), maxShardBytes), log::add);
    assertEquals(21, s.tensors());
    OutputTrees.assertIdentical(local, fs, out);
    UploadLog.of(log).assertSeveralPartsPerShard(s.shards());
    assertEquals(List.of("nf4-dq-" + maxShardBytes), OutputTrees.names(fs, out.getParent()).stream()
        .filter(n -> n.startsWith(out.getName())).toList(), "no directory of parts beside the output");
    assertEquals(maxShardBytes == 0, s.shards() == 1, "shards: " + s.shards());
    // HDFS shows a file while it is written: its parts are joined and renamed by Hadoop's uploader
    assertFalse(WholeFiles.writesAppearWhole(fs, out));
  }

  private static ConvertOptions shards(ConvertOptions o, long maxShardBytes) {
    return maxShardBytes == 0 ? o : o.withMaxShardBytes(maxShardBytes);
  }

  @Test
  void quantizeTasksPreferTheDataNodesOfTheirBytes() throws IOException {
    ConversionPlan plan = Planner.plan(ModelReader.read(fs, input), ConvertOptions.of(input.toString(), "unused", QuantMode.NF4));
    List<BlockTask> blocks = plan.blocks();
    InputLocality locality = InputLocality.of(blocks);
    var slices = LocalizedTasks.slices(blocks, blocks.size(), locality::bytesByHost);
    RDD<ArrayList<BlockTask>> rdd = LocalizedTasks.withLocations(sc, slices);

    Set<String> hostsSeen = new HashSet<>();
    int withinOneHdfsBlock = 0;
    for (int i = 0; i < blocks.size(); i++) {
      BlockTask b = blocks.get(i);
      List<String> preferred = CollectionConverters.asJava(rdd.preferredLocations(rdd.partitions()[i]));
      assertEquals(CollectionConverters.asJava(slices.get(i)._2()), preferred);
      // where the task's range lies in one HDFS block, its one replica's DataNode is the place to run it
      long start = b.dataOffset() + b.firstElement() * b.type().byteSize();
      BlockLocation[] stored = fs.getFileBlockLocations(new Path(b.file()), start, b.inputBytes());
      if (stored.length == 1) {
        withinOneHdfsBlock++;
        assertEquals(Arrays.asList(stored[0].getHosts()), preferred, b.tensor());
      }
      assertTrue(!preferred.isEmpty() && Arrays.asList(DATANODES).containsAll(preferred), b.tensor() + ": " + preferred);
      hostsSeen.addAll(preferred);
    }
    assertTrue(withinOneHdfsBlock >= 5, "too few tasks inside one HDFS block to judge: " + withinOneHdfsBlock);
    assertEquals(Set.of(DATANODES), hostsSeen, "the tasks should spread over every DataNode");
  }
}
