package dev.quarry.bnb;

import dev.quarry.quantize.QuantMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code quantization_config} transformers writes into config.json for a bitsandbytes model
 * (every field of {@code BitsAndBytesConfig.to_dict()}; see {@code reference/tiny-llama/hf-*}).
 * config.json is written with sorted keys, so the order here does not matter.
 */
public final class QuantizationConfigJson {
  private static final Set<String> FLOAT_DTYPES = Set.of("float16", "bfloat16", "float32");

  private QuantizationConfigJson() {}

  /**
   * @param modelDtype   config.json's {@code dtype} (or {@code torch_dtype}): the 4-bit compute dtype
   *                     when the options name none (quarry's default since its first version; transformers
   *                     writes float32 when BitsAndBytesConfig is given none)
   * @param computeDtype {@code bnb_4bit_compute_dtype} as asked (a torch name), or null: see {@code modelDtype}
   * @param skipModules  {@code llm_int8_skip_modules}: null for transformers' own choice
   */
  public static Map<String, Object> of(QuantMode mode, QuantStorage quantStorage, String computeDtype,
      Object modelDtype, List<String> skipModules) {
    boolean fourBit = mode.isFourBit();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("_load_in_4bit", fourBit);
    c.put("_load_in_8bit", !fourBit);
    // BitsAndBytesConfig writes both whatever the mode, so an int8 config carries what was asked too
    c.put("bnb_4bit_compute_dtype", computeDtype != null ? computeDtype
        : fourBit && modelDtype instanceof String d && FLOAT_DTYPES.contains(d) ? d : "float32");
    c.put("bnb_4bit_quant_storage", quantStorage.torchName());
    c.put("bnb_4bit_quant_type", fourBit ? mode.fourBitFormat().quantType() : "fp4");
    c.put("bnb_4bit_use_double_quant", mode.doubleQuant());
    c.put("llm_int8_enable_fp32_cpu_offload", false);
    c.put("llm_int8_has_fp16_weight", mode == QuantMode.INT8_TRAINING);
    c.put("llm_int8_skip_modules", skipModules);
    c.put("llm_int8_threshold", 6.0);
    c.put("load_in_4bit", fourBit);
    c.put("load_in_8bit", !fourBit);
    c.put("quant_method", "bitsandbytes");
    return c;
  }

  /** config.json with {@code quantization_config} added (or replaced). */
  public static Map<String, Object> configWith(Map<String, Object> config, Map<String, Object> quantization) {
    Map<String, Object> out = new LinkedHashMap<>(config);
    out.put("quantization_config", quantization);
    return out;
  }

  /** The dtype config.json names: transformers 5 writes {@code dtype}, older ones {@code torch_dtype}. */
  public static Object modelDtype(Map<String, Object> config) {
    return config.containsKey("dtype") ? config.get("dtype") : config.get("torch_dtype");
  }
}
