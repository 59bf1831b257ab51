package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernels on real model weights: every quantized Linear weight of the tiny-llama references
 * (transformers' and Fabric's outputs) recomputed from the input checkpoint, byte for byte.
 */
class TinyLlamaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUANT_STATE = ".quant_state.bitsandbytes__";

  private static Map<String, SafetensorsTestFile.Tensor> inputTensors() throws IOException {
    JsonNode index = JSON.readTree(Files.readString(ReferenceDir.file("tiny-llama/input/model.safetensors.index.json")));
    Map<String, SafetensorsTestFile.Tensor> tensors = new HashMap<>();
    TreeSet<String> shards = new TreeSet<>();
    index.get("weight_map").forEach(shard -> shards.add(shard.asText()));
    for (String shard : shards) {
      tensors.putAll(new SafetensorsTestFile(ReferenceDir.file("tiny-llama/input/" + shard)).tensors());
    }
    return tensors;
  }

  private static Map<String, SafetensorsTestFile.Tensor> outputTensors(String dir) throws IOException {
    String file = dir.startsWith("hf-") ? "model.safetensors" : "state_dict.safetensors";
    return new SafetensorsTestFile(ReferenceDir.file("tiny-llama/" + dir + "/" + file)).tensors();
  }

  @ParameterizedTest
  @ValueSource(strings = {"hf-nf4", "hf-fp4", "hf-nf4-dq", "hf-fp4-dq", "fabric-nf4", "fabric-fp4", "fabric-nf4-dq", "fabric-fp4-dq"})
  void fourBitWeightsEqualTheReference(String dir) throws IOException {
    Map<String, SafetensorsTestFile.Tensor> in = inputTensors();
    Map<String, SafetensorsTestFile.Tensor> out = outputTensors(dir);
    int weights = 0;
    int offsetsEqual = 0;
    for (String key : new TreeSet<>(out.keySet())) {
      int at = key.indexOf(QUANT_STATE);
      if (at < 0) {
        continue;
      }
      String weight = key.substring(0, at);
      FourBitFormat format = FourBitFormat.valueOf(key.substring(at + QUANT_STATE.length()).toUpperCase(java.util.Locale.ROOT));
      JsonNode state = JSON.readTree(new String(ReferenceVectors.bytes(out.get(key)), StandardCharsets.UTF_8));
      SafetensorsTestFile.Tensor input = in.get(weight);
      assertEquals(ElementType.BF16.torchName(), state.get("dtype").asText(), key);
      int blocksize = state.get("blocksize").asInt();
      long n = input.elementCount();
      int blocks = Math.toIntExact((n + blocksize - 1) / blocksize);
      ByteBuffer packed = ByteBuffer.allocate(Math.toIntExact((n + 1) / 2));
      ByteBuffer absmax = ByteBuffer.allocate(blocks * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      FourBitQuantizer quantizer = new FourBitQuantizer(new ScalarKernelSupport(), format, ElementType.BF16, blocksize);
      quantizer.quantize(input.bytes(), n, packed, absmax);
      assertArrayEquals(ReferenceVectors.bytes(out.get(weight)), packed.array(), weight);
      if (state.has("nested_offset")) {
        float gpuOffset = (float) state.get("nested_offset").asDouble();
        offsetsEqual += Float.floatToRawIntBits(gpuOffset) == Float.floatToRawIntBits(quantizer.absmaxSum().mean(blocks)) ? 1 : 0;
        ByteBuffer codes = ByteBuffer.allocate(blocks);
        ByteBuffer nested = ByteBuffer.allocate((blocks + 255) / 256 * Float.BYTES);
        NestedAbsmaxQuantizer.quantize(absmax.flip(), blocks, gpuOffset, codes, nested);
        assertArrayEquals(ReferenceVectors.bytes(out.get(weight + ".absmax")), codes.array(), weight + ".absmax");
        assertArrayEquals(ReferenceVectors.bytes(out.get(weight + ".nested_absmax")), nested.array(), weight + ".nested_absmax");
      } else {
        assertArrayEquals(ReferenceVectors.bytes(out.get(weight + ".absmax")), absmax.array(), weight + ".absmax");
      }
      weights++;
    }
    System.out.println(dir + ": " + weights + " 4-bit weights equal" + (dir.endsWith("-dq") ? ", offsets equal " + offsetsEqual : ""));
    assertEquals(dir.startsWith("hf-") ? 14 : 15, weights, "quantized weights (Fabric also quantizes lm_head)");
    if (dir.endsWith("-dq")) {
      // bnb-exact.md §3: 12 of the 14 transformers tensors; Fabric's lm_head is equal too
      assertEquals(dir.startsWith("hf-") ? 12 : 13, offsetsEqual, "exact-mean offsets equal to the GPU's");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"hf-int8", "fabric-int8"})
  void int8WeightsEqualTheReference(String dir) throws IOException {
    Map<String, SafetensorsTestFile.Tensor> in = inputTensors();
    Map<String, SafetensorsTestFile.Tensor> out = outputTensors(dir);
    int weights = 0;
    for (String key : new TreeSet<>(out.keySet())) {
      if (!key.endsWith(".SCB")) {
        continue;
      }
      String module = key.substring(0, key.length() - ".SCB".length());
      SafetensorsTestFile.Tensor input = in.get(module + ".weight");
      int cols = Math.toIntExact(input.shape()[1]);
      long rows = input.shape()[0];
      ByteBuffer q = ByteBuffer.allocate(Math.toIntExact(rows * cols));
      ByteBuffer scb = ByteBuffer.allocate(Math.toIntExact(rows * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
      new Int8Quantizer(new ScalarKernelSupport(), ElementType.BF16, cols).quantizeRows(input.bytes(), rows, q, scb);
      assertArrayEquals(ReferenceVectors.bytes(out.get(module + ".weight")), q.array(), module + ".weight");
      assertArrayEquals(ReferenceVectors.bytes(out.get(key)), scb.array(), key);
      SafetensorsTestFile.Tensor format = out.get(module + ".weight_format");
      assertTrue(format.shape().length == 0 && "U8".equals(format.dtype()), module + ".weight_format is a U8 scalar");
      assertArrayEquals(new byte[] {0}, ReferenceVectors.bytes(format), module + ".weight_format");
      weights++;
    }
    System.out.println(dir + ": " + weights + " int8 weights equal");
    assertEquals(dir.startsWith("hf-") ? 14 : 15, weights, "quantized weights (Fabric also quantizes lm_head)");
  }
}
