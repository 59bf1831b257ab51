package dev.quarry.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.IndependentNf4;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ModelTensors;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest of real conversions of the reference tiny-llama: rows against the output files,
 * checksums and error figures against independent computations, the input fingerprint against the
 * input files, and the same bytes whatever the blocks and partitions.
 */
class ManifestTest {
  @TempDir
  static Path dir;

  private static JavaSparkContext sc;
  private static Path input;

  @BeforeAll
  static void start() {
    sc = SparkTestContext.start("ManifestTest");
    input = ReferenceData.file("tiny-llama/input/config.json").getParent();
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** One conversion per mode with default blocks, shared by the tests that only read it. */
  private static final Map<String, Path> CONVERTED = new HashMap<>();

  private static Path converted(String mode) throws IOException {
    Path out = CONVERTED.get(mode);
    if (out == null) {
      out = convert(mode, mode, 32 << 20, 0);
      CONVERTED.put(mode, out);
    }
    return out;
  }

  private static Path convert(String mode, String out, long blockBytes, int partitions) throws IOException {
    ConvertOptions o = ConvertOptions.of(input.toString(), dir.resolve(out).toString(), QuantMode.fromCliName(mode))
        .withBlockBytes(blockBytes).withPartitions(partitions);
    ConversionJob.run(sc, o, line -> {});
    return dir.resolve(out);
  }

  private static Manifest read(Path out) throws IOException {
    return ManifestFile.read(LocalFiles.fs(), LocalFiles.hadoopPath(out.resolve(Manifest.FILE_NAME)));
  }

  @Test
  void rowsDescribeEveryOutputTensorWithItsChecksum() throws IOException {
    Path out = converted("nf4");
    Manifest m = read(out);
    Set<String> names = new HashSet<>();
    try (TensorFiles shard = new TensorFiles(out.resolve("model.safetensors"))) {
      assertEquals(shard.file().header().tensors().size(), m.rows().size());
      for (ManifestRow r : m.rows()) {
        assertTrue(names.add(r.name()), r.name());
        var t = shard.entry(r.name());
        assertNotNull(t, r.name());
        assertEquals("model.safetensors", r.file());
        assertEquals(t.dtype().name(), r.dtype());
        assertEquals(t.shape(), r.shape());
        assertEquals(t.byteSize(), r.byteSize());
        CRC32C crc = new CRC32C();
        crc.update(shard.bytes(r.name()));
        assertEquals(crc.getValue(), r.crc32c(), r.name());
      }
    }
    ManifestRow q = row(m, "model.layers.0.self_attn.q_proj.weight");
    assertEquals(List.of("quantize", "nf4", 64, "model.layers.0.self_attn.q_proj.weight"),
        List.of(q.action(), q.mode(), q.blocksize(), q.source()));
    ManifestRow absmax = row(m, "model.layers.0.self_attn.q_proj.weight.absmax");
    assertEquals("model.layers.0.self_attn.q_proj.weight", absmax.source());
    assertNull(absmax.error());
    ManifestRow head = row(m, "lm_head.weight");
    assertEquals("copy", head.action());
    assertNull(head.mode());
    assertNull(head.blocksize());
    assertNull(head.error());
    assertEquals(14, m.rows().stream().filter(r -> r.error() != null).count());
  }

  /** max |error|, RMSE and SQNR of every weight against an independent NF4 decode of the output. */
  @Test
  void fourBitErrorsMatchAnIndependentDecode() throws IOException {
    Path out = converted("nf4");
    for (ManifestRow r : read(out).rows()) {
      if (r.error() == null) {
        continue;
      }
      float[] x = ModelTensors.floats(input, r.source());
      byte[] packed = ModelTensors.bytes(out, r.name());
      ByteBuffer absmax = ByteBuffer.wrap(ModelTensors.bytes(out, r.name() + ".absmax")).order(ByteOrder.LITTLE_ENDIAN);
      double[] deq = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        deq[i] = IndependentNf4.value(packed, absmax, 64, i);
      }
      assertError(x, deq, r);
    }
  }

  @Test
  void int8ErrorsMatchAnIndependentDecode() throws IOException {
    Path out = converted("int8");
    for (ManifestRow r : read(out).rows()) {
      if (r.error() == null) {
        continue;
      }
      float[] x = ModelTensors.floats(input, r.source());
      byte[] q = ModelTensors.bytes(out, r.name());
      String module = r.name().substring(0, r.name().length() - ".weight".length());
      ByteBuffer scb = ByteBuffer.wrap(ModelTensors.bytes(out, module + ".SCB")).order(ByteOrder.LITTLE_ENDIAN);
      int cols = r.shape().get(1).intValue();
      double[] deq = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        // bitsandbytes multiplies by the float32 nearest 1/127 (int8_vectorwise_dequant)
        deq[i] = q[i] * scb.getFloat(i / cols * 4) * (float) (1.0 / 127);
      }
      assertError(x, deq, r);
    }
  }

  private static void assertError(float[] x, double[] deq, ManifestRow r) {
    double max = 0;
    double errors = 0;
    double values = 0;
    for (int i = 0; i < x.length; i++) {
      double e = (float) deq[i] - (double) x[i];
      max = Math.max(max, Math.abs(e));
      errors += e * e;
      values += (double) x[i] * x[i];
    }
    assertEquals(max, r.error().maxAbsError(), 0, r.name());
    assertEquals(Math.sqrt(errors / x.length), r.error().rmse(), 1e-12 * r.error().rmse(), r.name());
    assertEquals(10 * Math.log10(values / errors), r.error().sqnrDb(), 1e-9, r.name());
    assertTrue(r.error().sqnrDb() > 5 && r.error().sqnrDb() < 60, r.name() + ": SQNR " + r.error().sqnrDb());
  }

  @Test
  void metadataHoldsTheConversionRecord() throws IOException, NoSuchAlgorithmException {
    Path out = converted("fp4-dq");
    Manifest m = read(out);
    ConversionIdentity c = m.conversion();
    assertTrue(c.quarry().matches("\\d+\\.\\d+\\.\\d+.*"), c.quarry());
    assertEquals(LocalFiles.fs().makeQualified(new org.apache.hadoop.fs.Path(input.toString())).toString(), c.input());
    assertEquals(new ConversionSettings("fp4-dq", 64, false, List.of(), List.of(), ConvertOptions.DEFAULT_MAX_SHARD_BYTES,
        "uint8", null, false),
        m.settings());
    List<Path> shards = ModelTensors.shards(input);
    assertEquals(5, c.shards().size());
    for (int i = 0; i < shards.size(); i++) {
      ConversionIdentity.InputFile s = c.shards().get(i);
      byte[] file = Files.readAllBytes(shards.get(i));
      long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] header = java.util.Arrays.copyOf(file, (int) (8 + headerLength));
      assertEquals(shards.get(i).getFileName().toString(), s.name());
      assertEquals(file.length, s.length());
      assertEquals(Files.getLastModifiedTime(shards.get(i)).toMillis(), s.modified());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(header)), s.sha256());
    }
    assertTrue(c.hasConfig());
    assertEquals(Files.readString(out.resolve(OutputStore.SUCCESS)), c.json(), "the same record as _SUCCESS");
  }

  /** The error sums merge exactly, so the whole manifest is the same bytes however the work was cut. */
  @Test
  void manifestDoesNotDependOnBlocksOrPartitions() throws IOException {
    Path small = convert("nf4-dq", "small", 64 << 10, 3);
    Path large = convert("nf4-dq", "large", 64 << 20, 1);
    assertArrayEquals(Files.readAllBytes(large.resolve(Manifest.FILE_NAME)), Files.readAllBytes(small.resolve(Manifest.FILE_NAME)));
  }

  /** pyarrow reads the file: rows, columns, metadata (scripts/test installs pyarrow when it is missing). */
  @Test
  void pyarrowReadsIt() throws IOException, InterruptedException {
    Path out = converted("int8");
    Manifest m = read(out);
    String script = "import json, sys, pyarrow as pa\n"
        + "t = pa.ipc.open_file(sys.argv[1]).read_all()\n"
        + "md = {k.decode(): v.decode() for k, v in t.schema.metadata.items()}\n"
        + "print(t.num_rows, ','.join(t.column_names), sum(t['byte_size'].to_pylist()),\n"
        + "      json.loads(md['quarry.conversion'])['settings']['max_shard_bytes'], t['crc32c'].type, t['shape'][0].as_py(),\n"
        + "      json.loads(md['quarry.conversion'])['shards'][0]['sha256'])\n";
    Process p;
    try {
      p = new ProcessBuilder("python3", "-c", script, out.resolve(Manifest.FILE_NAME).toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("this test needs python3 with pyarrow, and python3 is missing (" + e.getMessage()
          + "): install python3, then run scripts/test, which installs pyarrow", e);
    }
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    assertFalse(printed.contains("No module named 'pyarrow'"),
        "this test needs pyarrow for python3, and it is missing: run scripts/test (it installs pyarrow), "
            + "or python3 -m pip install pyarrow");
    long bytes = m.rows().stream().mapToLong(ManifestRow::byteSize).sum();
    assertEquals(m.rows().size() + " name,file,source,action,mode,blocksize,dtype,shape,byte_size,crc32c,"
        + "max_abs_error,rmse,sqnr_db " + bytes + " " + m.settings().maxShardBytes() + " uint32 " + m.rows().get(0).shape()
        + " " + m.conversion().shards().get(0).sha256(), printed);
  }

  private static ManifestRow row(Manifest m, String name) {
    return m.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
  }
}
