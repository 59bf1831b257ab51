package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.write.ShardParts;
import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.OutputTrees;
import dev.quarry.testing.S3ProxyServer;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TestCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.MultipartUploader;
import org.apache.hadoop.fs.UploadHandle;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.hadoop.util.functional.FutureIO;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * s3a:// outputs written as S3 multipart uploads (S3Proxy on loopback, which refuses a part below
 * 5 MiB but the last, as S3 does): a model of four 12 MB weights, converted into one shard and into
 * several, gives the bytes of a local conversion, each shard in several 5 MiB parts (S3A's
 * {@code fs.s3a.multipart.size} set to S3's minimum) put by as many tasks, and another output's pending
 * upload whose key begins with this output's stays pending; a run that fails in the middle of its
 * uploads leaves no object and no pending upload.
 */
class S3aPartsIT {
  private static final String BUCKET = "parts";
  private static final int LAYERS = 4;
  private static final long ROWS = 2048;
  private static final long COLS = 3072;

  @TempDir
  static java.nio.file.Path dir;

  private static S3ProxyServer s3;
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.start(dir);
    s3.createBucket(BUCKET);
    Map<String, String> properties = new HashMap<>(s3.sparkProperties(s3.secret()));
    properties.put("spark.hadoop." + ShardParts.S3A_PART_SIZE, String.valueOf(ShardParts.MIN_OBJECT_STORE_PART));
    sc = SparkTestContext.start("S3aPartsIT", properties);
  }

  @AfterAll
  static void stop() throws Exception {
    if (sc != null) {
      sc.stop();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 8 << 20})
  void everyShardIsAMultipartUploadOfSeveralPartsWithTheLocalBytes(long maxShardBytes) throws IOException {
    java.nio.file.Path model = model(dir.resolve("model"), false);
    java.nio.file.Path local = dir.resolve("local-" + maxShardBytes);
    ConversionJob.run(sc, shards(ConvertOptions.of(model.toString(), local.toString(), QuantMode.NF4_DQ), maxShardBytes),
        line -> {});
    Path out = new Path("s3a://" + BUCKET + "/nf4-dq-" + maxShardBytes);
    FileSystem fs = FileSystems.forPath(out);
    // another output's pending upload, its key beginning with this output's: the run must leave it alone
    Path sibling = new Path(out.getParent(), out.getName() + "-other");
    MultipartUploader siblings = fs.createMultipartUploader(sibling).build();
    Path siblingShard = new Path(sibling, "model.safetensors");
    UploadHandle pending = FutureIO.awaitFuture(siblings.startUpload(siblingShard));
    List<String> log = new ArrayList<>();
    ConvertSummary s = ConversionJob.run(sc,
        shards(ConvertOptions.of(model.toString(), out.toString(), QuantMode.NF4_DQ), maxShardBytes), log::add);
    assertEquals(1, pendingUploads(fs, sibling).size(), "the other output's pending upload");
    FutureIO.awaitFuture(siblings.abort(pending, siblingShard));
    OutputTrees.assertIdentical(local, fs, out);
    assertEquals(maxShardBytes == 0, s.shards() == 1, "shards: " + s.shards());
    UploadLog.of(log).assertSeveralPartsPerShard(s.shards());
    assertEquals(List.of(), pendingUploads(fs, out));
  }

  /** Two modes in one run: each mode's shards are multipart uploads of their own, each output its local single run's bytes. */
  @Test
  void severalModesInOneRunGiveEachModesLocalBytes() throws IOException {
    java.nio.file.Path model = model(dir.resolve("model"), false);
    String parent = "s3a://" + BUCKET + "/modes";
    List<QuantMode> modes = List.of(QuantMode.NF4_DQ, QuantMode.INT8);
    List<String> log = new ArrayList<>();
    List<ModeOutcome> outcomes = PreparedModes.prepare(modes.stream()
        .map(m -> ConvertOptions.of(model.toString(), ConvertOptions.modeOutput(parent, m), m)).toList())
        .run(sc, log::add);
    FileSystem fs = FileSystems.forPath(new Path(parent));
    for (int i = 0; i < modes.size(); i++) {
      assertEquals(null, outcomes.get(i).failure(), modes.get(i) + " failed");
      java.nio.file.Path local = dir.resolve("local-alone-" + modes.get(i).cliName());
      ConversionJob.run(sc, ConvertOptions.of(model.toString(), local.toString(), modes.get(i)), line -> {});
      Path out = new Path(ConvertOptions.modeOutput(parent, modes.get(i)));
      OutputTrees.assertIdentical(local, fs, out);
      assertEquals(List.of(), pendingUploads(fs, out));
      String mode = modes.get(i).cliName();
      assertTrue(log.stream().anyMatch(l -> l.startsWith(mode + ": uploading ")), mode + " uploaded its shards:\n" + log);
    }
  }

  @Test
  void aRunFailingInTheMiddleOfItsUploadsLeavesNoObjectAndNoPendingUpload() throws IOException {
    // nf4 has no scan pass: the NaN in the last weight is found by the part that quantizes it, after others were put
    java.nio.file.Path model = model(dir.resolve("model-with-nan"), true);
    Path out = new Path("s3a://" + BUCKET + "/failed");
    List<String> log = new ArrayList<>();
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ConversionJob.run(sc, ConvertOptions.of(model.toString(), out.toString(), QuantMode.NF4), log::add));
    assertTrue(e.getMessage().contains(SmallModels.weight(LAYERS - 1)), e.getMessage());
    FileSystem fs = FileSystems.forPath(out);
    assertFalse(fs.exists(out), "the failed run left its output directory");
    assertEquals(List.of(), pendingUploads(fs, out));
  }

  private static List<String> pendingUploads(FileSystem fs, Path dir) throws IOException {
    return ((S3AFileSystem) fs).listMultipartUploads(dir.toUri().getPath().substring(1) + "/").stream()
        .map(u -> u.key() + " " + u.uploadId()).toList();
  }

  private static ConvertOptions shards(ConvertOptions o, long maxShardBytes) {
    return maxShardBytes == 0 ? o : o.withMaxShardBytes(maxShardBytes);
  }

  /** A model of {@value #LAYERS} bfloat16 [2048, 3072] weights and their norms; the last weight's sixth element NaN if asked. */
  static java.nio.file.Path model(java.nio.file.Path modelDir, boolean nan) throws IOException {
    if (Files.exists(modelDir)) {
      return modelDir;
    }
    Files.createDirectories(modelDir);
    Files.writeString(modelDir.resolve("config.json"), SmallModels.CONFIG);
    List<TestCheckpoints.Tensor> tensors = new ArrayList<>();
    for (int layer = 0; layer < LAYERS; layer++) {
      byte[] w = new byte[(int) (ROWS * COLS * 2)];
      for (int k = 0; k < ROWS * COLS; k++) {
        int bits = Float.floatToIntBits((float) Math.sin(k * 0.37 + layer) * (1 + (k % 97) / 32f));
        w[2 * k] = (byte) (bits >>> 16);
        w[2 * k + 1] = (byte) (bits >>> 24);
      }
      if (nan && layer == LAYERS - 1) {
        w[10] = (byte) 0xc0; // bfloat16 NaN 0x7fc0, little-endian
        w[11] = 0x7f;
      }
      byte[] norm = new byte[(int) COLS * 2];
      for (int k = 0; k < COLS; k++) {
        norm[2 * k + 1] = 0x3f;
        norm[2 * k] = (byte) 0x80; // 1.0
      }
      tensors.add(new TestCheckpoints.Tensor(new TensorSpec(SmallModels.weight(layer), Dtype.BF16, List.of(ROWS, COLS)), w));
      tensors.add(new TestCheckpoints.Tensor(new TensorSpec(SmallModels.norm(layer), Dtype.BF16, List.of(COLS)), norm));
    }
    TestCheckpoints.write(modelDir.resolve("model.safetensors"), tensors);
    return modelDir;
  }
}
