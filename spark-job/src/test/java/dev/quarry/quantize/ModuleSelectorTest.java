package dev.quarry.quantize;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleSelectorTest {
  private static TensorEntry t(String name, Dtype dtype, Long... shape) {
    return new TensorEntry(name, dtype, List.of(shape), 0, 0);
  }

  @Test
  void linearWeightsOnlyByDefault() {
    ModuleSelector s = new ModuleSelector(false);
    assertTrue(s.quantizes(t("model.layers.0.self_attn.q_proj.weight", Dtype.BF16, 8L, 8L)));
    assertTrue(s.quantizes(t("model.layers.3.mlp.down_proj.weight", Dtype.F32, 8L, 8L)));
    assertFalse(s.quantizes(t("model.layers.0.input_layernorm.weight", Dtype.BF16, 8L)), "1-D");
    assertFalse(s.quantizes(t("model.layers.0.self_attn.q_proj.bias", Dtype.BF16, 8L, 8L)), "not a weight");
    assertFalse(s.quantizes(t("conv.weight", Dtype.BF16, 8L, 8L, 3L, 3L)), "4-D");
    for (String skipped : List.of("lm_head.weight", "embed_out.weight", "model.embed_tokens.weight",
        "transformer.wte.weight", "transformer.wpe.weight", "bert.embeddings.word_embeddings.weight",
        "gpt_neox.embed_in.weight", "model.decoder.embed_positions.weight")) {
      assertFalse(s.quantizes(t(skipped, Dtype.BF16, 8L, 8L)), skipped);
    }
    assertFalse(s.quantizes(t("model.layers.0.q_proj.weight", Dtype.I8, 8L, 8L)), "not a float type");
    assertFalse(s.quantizes(t("model.layers.0.q_proj.weight", Dtype.BF16, 0L, 8L)), "empty");
    assertTrue(s.quantizes(t("lm_headless.weight", Dtype.BF16, 8L, 8L)), "matches whole path components only");
  }

  @Test
  void allTensorsTakesEveryNonEmptyFloatTensor() {
    ModuleSelector s = new ModuleSelector(true);
    assertTrue(s.quantizes(t("lm_head.weight", Dtype.BF16, 8L, 8L)));
    assertTrue(s.quantizes(t("model.norm.weight", Dtype.F16, 8L)));
    assertTrue(s.quantizes(t("scalar", Dtype.F32)));
    assertFalse(s.quantizes(t("ids", Dtype.I64, 8L)));
    assertFalse(s.quantizes(t("f64", Dtype.F64, 8L)), "the kernels read F32, F16 and BF16 only");
  }

  @Test
  void userRulesSkipIncludeAndAllLinear() {
    ModuleSelector s = new ModuleSelector(false, new ModuleRules(false, List.of("down_proj", "model\\.layers\\.1\\..*"),
        List.of("lm_head"), "llama"));
    assertFalse(s.quantizes(t("model.layers.0.mlp.down_proj.weight", Dtype.BF16, 8L, 8L)), "dotted suffix");
    assertFalse(s.quantizes(t("model.layers.1.self_attn.q_proj.weight", Dtype.BF16, 8L, 8L)), "regular expression");
    assertTrue(s.quantizes(t("model.layers.0.self_attn.q_proj.weight", Dtype.BF16, 8L, 8L)));
    assertTrue(s.quantizes(t("lm_head.weight", Dtype.BF16, 8L, 8L)), "included");
    assertTrue(s.quantizes(t("model.layers.0.mlp.down_projection.weight", Dtype.BF16, 8L, 8L)),
        "a suffix matches whole components only");
    assertTrue(s.quantizes(t("model.layers.0.mlp.up_down_proj.weight", Dtype.BF16, 8L, 8L)), "not the suffix '.down_proj'");

    ModuleSelector fabric = new ModuleSelector(false, new ModuleRules(true, List.of(), List.of(), null));
    assertTrue(fabric.quantizes(t("lm_head.weight", Dtype.BF16, 8L, 8L)));
    assertTrue(fabric.quantizes(t("embed_out.weight", Dtype.BF16, 8L, 8L)));
    assertFalse(fabric.quantizes(t("model.embed_tokens.weight", Dtype.BF16, 8L, 8L)), "embeddings are no Linear");
  }

  @Test
  void mixtureOfExpertsKeepsExpertsAndRouter() {
    ModuleSelector s = new ModuleSelector(false);
    assertFalse(s.quantizes(t("model.layers.0.block_sparse_moe.experts.3.w1.weight", Dtype.BF16, 8L, 8L)));
    assertFalse(s.quantizes(t("model.layers.0.block_sparse_moe.gate.weight", Dtype.BF16, 8L, 8L)));
    assertFalse(s.quantizes(t("model.layers.0.mlp.router.weight", Dtype.BF16, 8L, 8L)));
    assertTrue(s.quantizes(t("model.layers.0.mlp.gate_proj.weight", Dtype.BF16, 8L, 8L)));
  }

  @Test
  void onlyGpt2StyleConv1dWeightsAreTransposed() {
    ModuleSelector gpt2 = new ModuleSelector(false, ModuleRules.TRANSFORMERS_DEFAULTS.withModelType("gpt2"));
    assertTrue(gpt2.transposes(t("transformer.h.0.attn.c_attn.weight", Dtype.BF16, 8L, 24L)));
    assertTrue(gpt2.transposes(t("h.0.mlp.c_proj.weight", Dtype.BF16, 32L, 8L)));
    assertFalse(gpt2.transposes(t("transformer.h.0.attn.c_attn.bias", Dtype.BF16, 24L)));
    assertFalse(gpt2.transposes(t("transformer.wte.weight", Dtype.BF16, 8L, 8L)));
    ModuleSelector llama = new ModuleSelector(false, ModuleRules.TRANSFORMERS_DEFAULTS.withModelType("llama"));
    assertFalse(llama.transposes(t("model.layers.0.mlp.c_fc.weight", Dtype.BF16, 8L, 8L)));
    assertFalse(new ModuleSelector(false).transposes(t("h.0.mlp.c_fc.weight", Dtype.BF16, 8L, 8L)), "unknown model type");
  }
}
