package dev.quarry.bnb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.json.PythonJson;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.util.ArrayList;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packed quant_state that bitsandbytes stores as the uint8 tensor
 * {@code <weight>.quant_state.bitsandbytes__<nf4|fp4>} ({@code bnb-exact.md} §7): the
 * {@code json.dumps} of its dict, keys in bitsandbytes' order. Written by conversions, read back by
 * {@code dequantize}.
 */
public final class QuantStateJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A quant_state read back: the 4-bit type, blocksize, the weight's torch dtype and shape, and under
   * double quantization ({@code nested} true) the offset added back to the dequantized absmax.
   */
  public record State(String quantType, int blocksize, String dtype, List<Long> shape, boolean nested,
      float nestedOffset) {}

  private QuantStateJson() {}

  /** Without double quantization. */
  public static byte[] plain(String quantType, int blocksize, String torchDtype, List<Long> shape) {
    return utf8(base(quantType, blocksize, torchDtype, shape));
  }

  /** With double quantization: adds the nested block size, dtype and the float32 offset. */
  public static byte[] doubleQuant(String quantType, int blocksize, String torchDtype, List<Long> shape, float offset) {
    Map<String, Object> state = base(quantType, blocksize, torchDtype, shape);
    state.put("nested_blocksize", NestedAbsmaxQuantizer.NESTED_BLOCKSIZE);
    state.put("nested_dtype", "float32");
    state.put("nested_offset", offset);
    return utf8(state);
  }

  private static Map<String, Object> base(String quantType, int blocksize, String torchDtype, List<Long> shape) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("quant_type", quantType);
    state.put("blocksize", blocksize);
    state.put("dtype", torchDtype);
    state.put("shape", shape);
    return state;
  }

  private static byte[] utf8(Map<String, Object> state) {
    return PythonJson.dumps(state).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the text of a quant_state tensor; {@code where} names it in the error a text that is not
   * one gives (a field missing or of the wrong kind).
   */
  public static State read(byte[] text, String file, String where) throws IOException {
    JsonNode state;
    try {
      state = JSON.readTree(text);
    } catch (IOException e) {
      throw new CheckpointException(file, where, "not a bitsandbytes quant_state (its text is no JSON)", e);
    }
    for (String key : List.of("quant_type", "blocksize", "dtype", "shape")) {
      if (state == null || !state.has(key)) {
        throw new CheckpointException(file, where, "not a bitsandbytes quant_state (no '" + key + "')");
      }
    }
    List<Long> shape = new ArrayList<>();
    state.get("shape").forEach(d -> shape.add(d.asLong()));
    boolean nested = state.has("nested_offset");
    return new State(state.get("quant_type").asText(), state.get("blocksize").asInt(), state.get("dtype").asText(),
        shape, nested, nested ? (float) state.get("nested_offset").asDouble() : 0);
  }
}
