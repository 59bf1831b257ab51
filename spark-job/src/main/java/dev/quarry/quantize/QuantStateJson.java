package dev.quarry.quantize;

import dev.quarry.json.PythonJson;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packed quant_state that bitsandbytes stores as the uint8 tensor
 * {@code <weight>.quant_state.bitsandbytes__<nf4|fp4>} ({@code bnb-exact.md} §7): the
 * {@code json.dumps} of its dict, keys in bitsandbytes' order.
 */
public final class QuantStateJson {
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
}
