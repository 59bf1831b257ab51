package dev.quarry.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** config.json and generation_config.json of a generated model, as transformers 5 writes them for Llama. */
final class SampleConfigJson {
  private static final String TRANSFORMERS_VERSION = "5.17.0";

  private SampleConfigJson() {}

  static Map<String, Object> config(SampleModelConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("LlamaForCausalLM"));
    m.put("attention_bias", false);
    m.put("attention_dropout", 0.0);
    m.put("bos_token_id", 1);
    m.put("dtype", "bfloat16");
    m.put("eos_token_id", 2);
    m.put("head_dim", c.headDim());
    m.put("hidden_act", "silu");
    m.put("hidden_size", c.hidden());
    m.put("initializer_range", 0.02);
    m.put("intermediate_size", c.intermediate());
    m.put("max_position_embeddings", 256);
    m.put("mlp_bias", false);
    m.put("model_type", "llama");
    m.put("num_attention_heads", c.heads());
    m.put("num_hidden_layers", c.layers());
    m.put("num_key_value_heads", c.kvHeads());
    m.put("pad_token_id", null);
    m.put("pretraining_tp", 1);
    m.put("rms_norm_eps", 1e-06);
    Map<String, Object> rope = new LinkedHashMap<>();
    rope.put("rope_theta", 10000.0);
    rope.put("rope_type", "default");
    m.put("rope_parameters", rope);
    m.put("tie_word_embeddings", false);
    m.put("transformers_version", TRANSFORMERS_VERSION);
    m.put("use_cache", true);
    m.put("vocab_size", c.vocab());
    return m;
  }

  static Map<String, Object> generationConfig() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("_from_model_config", true);
    m.put("bos_token_id", 1);
    m.put("eos_token_id", 2);
    m.put("output_attentions", false);
    m.put("output_hidden_states", false);
    m.put("transformers_version", TRANSFORMERS_VERSION);
    m.put("use_cache", true);
    return m;
  }
}
