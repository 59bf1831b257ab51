package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.ElementType;
import dev.quarry.quantize.QuantMode;
import dev.quarry.quantize.QuantStorage;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.SmallModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.hadoop.fs.FileSystem;
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
    org.apache.hadoop.fs.Path input = LocalFiles.hadoopPath(model);
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
}
