package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.kernels.ElementType;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.SparkTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a completed output is this conversion's, and whether the input changed under it: the same
 * input files (length, modification time) and output-changing options give the same identity; a
 * changed file or option gives another, and nothing that does not change the bytes (Spark
 * partitions, the block cut) changes it.
 */
class ConversionIdentityTest {
  @TempDir
  Path dir;

  private ConversionIdentity identity(Path model, ConvertOptions o) throws IOException {
    FileSystem fs = LocalFiles.fs();
    org.apache.hadoop.fs.Path input = new org.apache.hadoop.fs.Path(model.toString()); // as the job takes it
    return ConversionIdentity.of(fs, input, ModelReader.read(fs, input), o);
  }

  @Test
  void identityFollowsInputFilesAndOptions() throws IOException {
    Path model = SmallModels.sharded(dir.resolve("model"), 2);
    Files.writeString(model.resolve("tokenizer.json"), "{}");
    ConvertOptions o = ConvertOptions.of(model.toString(), dir.resolve("out").toString(), QuantMode.NF4);
    ConversionIdentity id = identity(model, o);
    assertEquals(id, identity(model, o));
    assertTrue(id.json().contains("\"quarry\":\"" + dev.quarry.QuarryRelease.version() + "\""),
        "the version that made it: an upgrade never takes an older build's output for its own");
    assertEquals(id, identity(model, o.withPartitions(7)), "the partitions do not change the bytes");
    assertEquals(id, identity(model, o.withBlockBytes(1 << 10)), "nor does the block cut");
    assertNotEquals(id, identity(model, ConvertOptions.of(model.toString(), "x", QuantMode.NF4_DQ)));
    assertNotEquals(id, identity(model, o.withAllowNonFinite(true)));
    assertNotEquals(id, identity(model, o.withOutputDtypes(QuantStorage.BFLOAT16, null)), "another quant storage");
    assertNotEquals(id, identity(model, o.withOutputDtypes(QuantStorage.UINT8, ElementType.F16)), "a compute dtype");

    Path shard = model.resolve("model-00002-of-00002.safetensors");
    Files.setLastModifiedTime(shard, FileTime.fromMillis(Files.getLastModifiedTime(shard).toMillis() - 60_000));
    assertNotEquals(id, identity(model, o), "a shard rewritten");
    ConversionIdentity touched = identity(model, o);
    Files.writeString(model.resolve("tokenizer.json"), "{\"v\": 2}");
    assertNotEquals(touched, identity(model, o), "a copied file changed");
  }

  /**
   * One record: {@code _SUCCESS} and the manifest hold the same text, and a change of any one option
   * that changes a byte, or of an input file, is seen by both the rerun check (it refuses the output
   * as another conversion's) and the manifest's record (zoo's up-to-date check); an option that
   * changes no byte is seen by neither.
   */
  @Test
  void theRerunCheckAndTheManifestSeeEachChangeAlike() throws IOException {
    Path model = SmallModels.sharded(dir.resolve("model"), 2);
    Path out = dir.resolve("out");
    ConvertOptions o = ConvertOptions.of(model.toString(), out.toString(), QuantMode.NF4);
    JavaSparkContext sc = SparkTestContext.start("ConversionIdentityTest");
    try {
      ConversionJob.run(sc, o, line -> {});
    } finally {
      sc.stop();
    }
    Manifest manifest = ManifestFile.read(LocalFiles.fs(), LocalFiles.hadoopPath(out.resolve(Manifest.FILE_NAME)));
    assertEquals(Files.readString(out.resolve(OutputStore.SUCCESS)), manifest.conversion().json(),
        "_SUCCESS and the manifest hold the same record, byte for byte");
    assertEquals(identity(model, o), manifest.conversion());
    assertTrue(ConversionJob.prepare(o).alreadyDone(), "the same conversion: nothing to do");
    assertTrue(ConversionJob.prepare(o.withPartitions(5).withBlockBytes(1 << 10)).alreadyDone(),
        "partitions and the block cut change no byte");

    ModuleRules defaults = ModuleRules.TRANSFORMERS_DEFAULTS;
    Map<String, ConvertOptions> changes = new LinkedHashMap<>();
    changes.put("mode", ConvertOptions.of(model.toString(), out.toString(), QuantMode.FP4));
    changes.put("blocksize", new ConvertOptions(model.toString(), out.toString(), QuantMode.NF4, 128, defaults,
        ConvertOptions.DEFAULT_BLOCK_BYTES, ConvertOptions.DEFAULT_MAX_SHARD_BYTES, 0));
    changes.put("all_linear", o.withRules(new ModuleRules(true, List.of(), List.of(), null)));
    changes.put("skip_modules", o.withRules(new ModuleRules(false, List.of("layers.1.mlp.up_proj"), List.of(), null)));
    changes.put("include_modules", o.withRules(new ModuleRules(false, List.of(), List.of("lm_head"), null)));
    changes.put("max_shard_bytes", o.withMaxShardBytes(1_000_000));
    changes.put("allow_non_finite", o.withAllowNonFinite(true));
    changes.put("quant_storage", o.withOutputDtypes(QuantStorage.BFLOAT16, null));
    changes.put("compute_dtype", o.withOutputDtypes(QuantStorage.UINT8, ElementType.BF16));
    for (Map.Entry<String, ConvertOptions> change : changes.entrySet()) {
      String what = change.getKey();
      IOException refused = assertThrows(IOException.class, () -> ConversionJob.prepare(change.getValue()), what);
      assertTrue(refused.getMessage().contains("holds the completed output of a different conversion"),
          what + ": " + refused.getMessage());
      ConversionIdentity changed = identity(model, change.getValue());
      assertNotEquals(manifest.conversion(), changed, what);
      assertNotEquals(manifest.conversion().settings(), changed.settings(), what + " is one of the settings");
    }

    Path shard = model.resolve("model-00001-of-00002.safetensors");
    Files.setLastModifiedTime(shard, FileTime.fromMillis(Files.getLastModifiedTime(shard).toMillis() - 60_000));
    assertThrows(IOException.class, () -> ConversionJob.prepare(o), "an input file rewritten");
    assertNotEquals(manifest.conversion(), identity(model, o), "an input file rewritten");
    assertTrue(manifest.conversion().sameInputAs(identity(model, o)), "... with the same headers: verify --input's check");
  }
}
