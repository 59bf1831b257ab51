package dev.quarry.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleCheckpointTest {
  @TempDir
  Path dir;

  private final FileSystem fs = LocalFiles.fs();

  private List<org.apache.hadoop.fs.Path> writeTinyLlama(Path into) throws IOException {
    return SampleCheckpoint.write(fs, LocalFiles.hadoopPath(into), SampleModelConfig.tinyLlama());
  }

  /** With the reference tiny-llama's dimensions, the files are laid out as save_pretrained laid out the reference. */
  @ParameterizedTest
  @ValueSource(strings = {"config.json", "generation_config.json", "model.safetensors.index.json"})
  void jsonFilesEqualTheReference(String name) throws IOException {
    writeTinyLlama(dir);
    assertEquals(Files.readString(ReferenceData.file("tiny-llama/input/" + name)), Files.readString(dir.resolve(name)));
  }

  @Test
  void shardsHaveTheReferenceHeaders() throws IOException {
    List<org.apache.hadoop.fs.Path> shards = writeTinyLlama(dir);
    assertEquals(5, shards.size());
    for (int i = 1; i <= 5; i++) {
      Path reference = ReferenceData.tinyLlamaShard(i);
      Path generated = dir.resolve(reference.getFileName().toString());
      assertArrayEquals(LocalFiles.rawHeader(reference), LocalFiles.rawHeader(generated), generated.toString());
      assertEquals(Files.size(reference), Files.size(generated));
    }
  }

  @Test
  void deterministicAndPlausibleValues() throws IOException {
    writeTinyLlama(dir.resolve("a"));
    writeTinyLlama(dir.resolve("b"));
    Path shard = dir.resolve("a/model-00005-of-00005.safetensors");
    assertArrayEquals(Files.readAllBytes(shard), Files.readAllBytes(dir.resolve("b/model-00005-of-00005.safetensors")));
    try (SafetensorsFile f = SafetensorsFile.open(fs, LocalFiles.hadoopPath(shard))) {
      float[] norm = bf16Values(f, f.header().tensor("model.norm.weight"));
      for (float v : norm) {
        assertEquals(1.0f, v);
      }
      float[] head = bf16Values(f, f.header().tensor("lm_head.weight"));
      double sumSquares = 0;
      for (float v : head) {
        assertTrue(Float.isFinite(v));
        sumSquares += (double) v * v;
      }
      double std = Math.sqrt(sumSquares / head.length);
      assertEquals(0.02, std, 0.0005, "standard deviation of 131072 normal values");
    }
  }

  private static float[] bf16Values(SafetensorsFile f, TensorEntry t) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    f.read(t, 0, b);
    b.flip();
    float[] values = new float[(int) t.elementCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
    }
    return values;
  }

  @Test
  void bfloat16RoundingIsNearestEven() {
    // 1 + 2^-8 lies exactly between bf16 1.0 and 1.0078125: ties go to the even mantissa (1.0)
    assertEquals((short) 0x3f80, SampleValues.toBfloat16(Float.intBitsToFloat(0x3f808000)));
    // 1.0078125 + 2^-8 lies between 0x3f81 and 0x3f82: even is 0x3f82
    assertEquals((short) 0x3f82, SampleValues.toBfloat16(Float.intBitsToFloat(0x3f818000)));
    assertEquals((short) 0x3f81, SampleValues.toBfloat16(Float.intBitsToFloat(0x3f808001)));
  }
}
