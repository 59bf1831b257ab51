package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.ReferenceComparison;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference tiny-llama converted to several modes in one read of its input, on a real local[2]
 * Spark: each mode's output is the one a run of that mode alone writes, file for file, and the
 * reference's; the input is read once (the local file system's own count of bytes read).
 */
class ModesInOneReadTest {
  private static final List<String> HF_MODES = List.of("nf4", "nf4-dq", "fp4", "fp4-dq", "int8");
  /** What a run reads besides tensor data: each mode's copy of generation_config.json, the shards' headers. */
  private static final long METADATA_BYTES = 64 << 10;

  private static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSpark() {
    sc = SparkTestContext.start("ModesInOneReadTest");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  private static Path input() {
    return ReferenceData.file("tiny-llama/input/config.json").getParent();
  }

  private static ConvertOptions options(String mode, Path out) {
    return ConvertOptions.of(input().toString(), out.toString(), QuantMode.fromCliName(mode));
  }

  /** Every mode of {@code modes} into {@code <parent>/<mode>} in one run; each must commit. */
  private static void convertInOneRead(List<String> modes, Path parent, long blockBytes) throws IOException {
    PreparedModes prepared = PreparedModes.prepare(modes.stream()
        .map(m -> options(m, Path.of(ConvertOptions.modeOutput(parent.toString(), QuantMode.fromCliName(m))))
            .withBlockBytes(blockBytes)).toList());
    for (ModeOutcome o : prepared.run(sc, line -> {})) {
      assertEquals(null, o.failure(), o.options().mode() + " failed");
      assertTrue(!o.summary().alreadyComplete());
    }
  }

  @Test
  void eachModeIsWhatItsOwnRunWritesAndTheReference() throws IOException {
    // small blocks: the cut suiting all five modes differs from each mode's own
    convertInOneRead(HF_MODES, dir.resolve("together"), 40_000);
    for (String mode : HF_MODES) {
      Path together = dir.resolve("together").resolve(mode);
      Path alone = dir.resolve("alone").resolve(mode);
      ConversionJob.run(sc, options(mode, alone), line -> {});
      assertEquals(FileTrees.snapshot(alone), FileTrees.snapshot(together), mode + ": every file, _SUCCESS and manifest too");
      Path reference = ReferenceData.file("tiny-llama/hf-" + mode + "/model.safetensors").getParent();
      try (TensorFiles expected = new TensorFiles(reference.resolve("model.safetensors"))) {
        new ReferenceComparison(QuantMode.fromCliName(mode)).compare(List.of(together.resolve("model.safetensors")), expected);
      }
      if (!QuantMode.fromCliName(mode).doubleQuant()) {
        assertArrayEquals(Files.readAllBytes(reference.resolve("model.safetensors")),
            Files.readAllBytes(together.resolve("model.safetensors")), mode);
      }
    }
  }

  /**
   * Without double quantization the whole pass is one read of the input; nf4-dq adds its scan, which
   * serves fp4 and int8 too: three modes read what nf4-dq alone reads, not what three runs read.
   */
  @Test
  void readsTheInputOnceForEveryMode() throws IOException {
    long input = tensorBytes();
    long threeModes = bytesRead(() -> convertInOneRead(List.of("nf4", "fp4", "int8"), dir.resolve("plain"),
        ConvertOptions.DEFAULT_BLOCK_BYTES));
    assertTrue(threeModes >= input && threeModes <= input + METADATA_BYTES,
        "nf4, fp4 and int8 read " + threeModes + " bytes of an input of " + input);
    long nf4DqAlone = bytesRead(() -> ConversionJob.run(sc, options("nf4-dq", dir.resolve("nf4-dq")), line -> {}));
    long withDq = bytesRead(() -> convertInOneRead(List.of("nf4-dq", "fp4", "int8"), dir.resolve("dq"),
        ConvertOptions.DEFAULT_BLOCK_BYTES));
    assertTrue(withDq <= nf4DqAlone + METADATA_BYTES,
        "nf4-dq, fp4 and int8 read " + withDq + " bytes, nf4-dq alone " + nf4DqAlone);
  }

  private interface Run {
    void run() throws IOException;
  }

  /**
   * Bytes read through the local file system while {@code run} runs: Hadoop's statistics of the
   * {@code file} scheme, which count every read of its streams (executors run in this JVM under local[2]).
   */
  @SuppressWarnings("deprecation") // the one way to the statistics of a FileSystem class, not of its scheme's first class
  private static long bytesRead(Run run) throws IOException {
    FileSystem fs = FileSystems.forPath(new org.apache.hadoop.fs.Path(input().toUri()));
    FileSystem.Statistics local = FileSystem.getStatistics(fs.getUri().getScheme(), fs.getClass());
    long before = local.getBytesRead();
    run.run();
    return local.getBytesRead() - before;
  }

  /** The bytes of the input's shards. */
  private static long tensorBytes() throws IOException {
    long bytes = 0;
    try (Stream<Path> files = Files.list(input())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
        bytes += Files.size(f);
      }
    }
    return bytes;
  }
}
