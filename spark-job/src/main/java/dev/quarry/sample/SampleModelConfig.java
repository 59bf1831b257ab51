package dev.quarry.sample;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a generated Llama-style bfloat16 model and how it is sharded. {@link #tinyLlama()}
 * has the dimensions of the reference tiny-llama (2 layers, hidden 256, vocab 512, 1 MB shards).
 */
public record SampleModelConfig(int layers, int hidden, int intermediate, int vocab, int heads, int kvHeads,
    long maxShardBytes, long seed) {

  public SampleModelConfig {
    if (layers < 1 || hidden < 1 || intermediate < 1 || vocab < 1 || heads < 1 || kvHeads < 1
        || maxShardBytes < 1) {
      throw new IllegalArgumentException("every size must be positive");
    }
    if (hidden % heads != 0 || heads % kvHeads != 0) {
      throw new IllegalArgumentException("hidden must be a multiple of heads, heads a multiple of kvHeads");
    }
  }

  public static SampleModelConfig tinyLlama() {
    return new SampleModelConfig(2, 256, 704, 512, 4, 2, 1_000_000L, 42L);
  }

  public int headDim() {
    return hidden / heads;
  }

  /** The tensors in the order of the model's state_dict, which is the order shards are filled in. */
  public List<TensorSpec> stateDict() {
    List<TensorSpec> t = new ArrayList<>();
    long h = hidden;
    long q = (long) heads * headDim();
    long kv = (long) kvHeads * headDim();
    t.add(bf16("model.embed_tokens.weight", vocab, h));
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      t.add(bf16(p + "self_attn.q_proj.weight", q, h));
      t.add(bf16(p + "self_attn.k_proj.weight", kv, h));
      t.add(bf16(p + "self_attn.v_proj.weight", kv, h));
      t.add(bf16(p + "self_attn.o_proj.weight", h, q));
      t.add(bf16(p + "mlp.gate_proj.weight", intermediate, h));
      t.add(bf16(p + "mlp.up_proj.weight", intermediate, h));
      t.add(bf16(p + "mlp.down_proj.weight", h, intermediate));
      t.add(bf16(p + "input_layernorm.weight", h));
      t.add(bf16(p + "post_attention_layernorm.weight", h));
    }
    t.add(bf16("model.norm.weight", h));
    t.add(bf16("lm_head.weight", vocab, h));
    return t;
  }

  private static TensorSpec bf16(String name, long... shape) {
    List<Long> dims = new ArrayList<>();
    for (long d : shape) {
      dims.add(d);
    }
    return new TensorSpec(name, Dtype.BF16, dims);
  }
}
