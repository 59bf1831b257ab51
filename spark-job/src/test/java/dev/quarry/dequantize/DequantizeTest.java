package dev.quarry.dequantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.IndependentNf4;
import dev.quarry.testing.ModelTensors;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TensorFiles;
import dev.quarry.testing.TestCheckpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dequantize against what bitsandbytes' own dequantization gave on the GPU (the reference vectors'
 * {@code dequant} tensors, packed into a checkpoint the way transformers saves modules), and on the
 * reference tiny-llama against an independent decode.
 */
class DequantizeTest {
  @TempDir
  static Path dir;

  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = SparkTestContext.start("DequantizeTest");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  private static Path vectors() {
    return ReferenceData.file("vectors/bnb_reference_vectors-01-of-03.safetensors").getParent();
  }

  /** Module {@code module}'s state dict from a 4-bit vector case ({@code <case>/<type>/bs64/<plain|dq>}). */
  private static void addFourBit(List<TestCheckpoints.Tensor> out, String module, String prefix, String type)
      throws IOException {
    Path v = vectors();
    String w = module + ".weight";
    out.add(tensor(v, w, prefix + "/packed"));
    for (String part : List.of("absmax", "quant_map", "nested_absmax", "nested_quant_map")) {
      if (prefix.endsWith("/dq") || !part.startsWith("nested")) {
        out.add(tensor(v, w + "." + part, prefix + "/state/" + part));
      }
    }
    byte[] json = metadata(prefix + "/quant_state.bitsandbytes__" + type).getBytes(StandardCharsets.UTF_8);
    out.add(new TestCheckpoints.Tensor(new TensorSpec(w + ".quant_state.bitsandbytes__" + type, Dtype.U8,
        List.of((long) json.length)), json));
  }

  private static TestCheckpoints.Tensor tensor(Path v, String name, String source) throws IOException {
    TensorEntry e = ModelTensors.entry(v, source);
    return new TestCheckpoints.Tensor(new TensorSpec(name, e.dtype(), e.shape()), ModelTensors.bytes(v, source));
  }

  private static String metadata(String key) throws IOException {
    for (Path f : ModelTensors.shards(vectors())) {
      try (TensorFiles t = new TensorFiles(f)) {
        String value = t.file().header().metadata().get(key);
        if (value != null) {
          return value;
        }
      }
    }
    throw new AssertionError("no metadata " + key);
  }

  @Test
  void matchesBitsandbytesDequantizationOfTheReferenceVectors() throws IOException {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("a", "normal_bf16/nf4/bs64/plain");
    cases.put("b", "normal_bf16/nf4/bs64/dq");
    cases.put("c", "normal_f16/fp4/bs64/dq");
    cases.put("d", "odd_f32/nf4/bs64/plain");
    cases.put("e", "big_bf16/fp4/bs64/dq");
    List<TestCheckpoints.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, String> c : cases.entrySet()) {
      addFourBit(tensors, c.getKey(), c.getValue(), c.getValue().contains("/nf4/") ? "nf4" : "fp4");
    }
    tensors.add(tensor(vectors(), "f.weight", "normal_bf16/int8/CB"));
    tensors.add(tensor(vectors(), "f.SCB", "normal_bf16/int8/SCB"));
    tensors.add(new TestCheckpoints.Tensor(new TensorSpec("f.weight_format", Dtype.U8, List.of()), new byte[] {0}));
    Path quantized = dir.resolve("vectors-quantized");
    Files.createDirectories(quantized);
    TestCheckpoints.write(quantized.resolve("model.safetensors"), tensors);
    Files.writeString(quantized.resolve("config.json"), "{\"dtype\": \"float32\", \"quantization_config\": {}}");

    Path out = dir.resolve("vectors-dequantized");
    assertEquals(6, DequantizeJob.run(sc, quantized.toString(), out.toString(), null, 5_000_000_000L));
    cases.put("f", "normal_bf16/int8");
    try (TensorFiles result = new TensorFiles(out.resolve("model.safetensors"))) {
      assertEquals(6, result.file().header().tensors().size(), "only the weights, no quantization state");
      for (Map.Entry<String, String> c : cases.entrySet()) {
        TensorEntry expected = ModelTensors.entry(vectors(), c.getValue() + "/dequant");
        TensorEntry ours = result.entry(c.getKey() + ".weight");
        assertEquals(expected.dtype(), ours.dtype(), c.getValue());
        assertEquals(expected.shape(), ours.shape(), c.getValue());
        assertArrayEquals(ModelTensors.bytes(vectors(), c.getValue() + "/dequant"), result.bytes(ours.name()), c.getValue());
      }
    }
    assertEquals("{\n  \"dtype\": \"float32\"\n}\n", Files.readString(out.resolve("config.json")));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  /** transformers' nf4 tiny-llama back to bfloat16, sharded: the input's tensors, weights decoded independently. */
  @Test
  void tinyLlamaBackToBfloat16() throws IOException {
    Path quantized = ReferenceData.file("tiny-llama/hf-nf4/model.safetensors").getParent();
    Path input = ReferenceData.file("tiny-llama/input/config.json").getParent();
    Path out = dir.resolve("tiny-llama");
    DequantizeJob.run(sc, quantized.toString(), out.toString(), null, 1_000_000);
    assertTrue(ModelTensors.shards(out).size() > 1);
    assertTrue(Files.exists(out.resolve("model.safetensors.index.json")));
    assertFalse(Files.readString(out.resolve("config.json")).contains("quantization_config"));
    int weights = 0;
    for (Path inShard : ModelTensors.shards(input)) {
      try (TensorFiles in = new TensorFiles(inShard)) {
        for (TensorEntry t : in.file().header().tensors()) {
          TensorEntry ours = ModelTensors.entry(out, t.name());
          assertEquals(List.of(t.dtype(), t.shape()), List.of(ours.dtype(), ours.shape()), t.name());
          byte[] bytes = ModelTensors.bytes(out, t.name());
          if (ModelTensors.shards(quantized).stream().noneMatch(q -> holds(q, t.name() + ".absmax"))) {
            assertArrayEquals(in.bytes(t.name()), bytes, t.name() + " copied");
            continue;
          }
          weights++;
          assertArrayEquals(nf4Decode(quantized, t.name()), bytes, t.name());
        }
      }
    }
    assertEquals(14, weights);
  }

  private static boolean holds(Path shard, String tensor) {
    try (TensorFiles f = new TensorFiles(shard)) {
      return f.entry(tensor) != null;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** NF4 table value times absmax in float32, rounded to the nearest bfloat16 by comparing the two neighbours. */
  private static byte[] nf4Decode(Path quantized, String weight) throws IOException {
    byte[] packed = ModelTensors.bytes(quantized, weight);
    ByteBuffer absmax = ByteBuffer.wrap(ModelTensors.bytes(quantized, weight + ".absmax")).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(packed.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < packed.length * 2; i++) {
      float v = IndependentNf4.value(packed, absmax, 64, i);
      int down = Float.floatToRawIntBits(v) & 0xffff0000;
      int up = down + 0x10000;
      double dDown = Math.abs(v - (double) Float.intBitsToFloat(down));
      double dUp = Math.abs((double) Float.intBitsToFloat(up) - v);
      int chosen = dDown < dUp || (dDown == dUp && (down & 0x10000) == 0) ? down : up;
      out.putShort((short) (chosen >>> 16));
    }
    return out.array();
  }
}
