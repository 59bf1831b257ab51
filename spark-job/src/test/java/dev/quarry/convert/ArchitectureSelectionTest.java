package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.TensorFiles;
import dev.quarry.testing.TestCheckpoints;
import dev.quarry.testing.TestCheckpoints.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module selection on small generated checkpoints with the tensor names and layouts of ten
 * architectures: which tensors transformers (5) quantizes, and that every other tensor is copied
 * byte for byte in its dtype. The expected sets are written out by hand from the architectures.
 */
class ArchitectureSelectionTest {
  private static final long H = 64;
  private static final long I = 128;
  private static final long V = 96;

  private static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSpark() {
    sc = SparkTestContext.start("ArchitectureSelectionTest");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  @Test
  void llama() throws IOException {
    assertQuantized("llama", llamaLike("model.layers.0.", true), llamaProjections("model.layers.0."));
  }

  @Test
  void mistral() throws IOException {
    assertQuantized("mistral", llamaLike("model.layers.0.", true), llamaProjections("model.layers.0."));
  }

  @Test
  void qwen2WithTiedEmbeddingsAndAttentionBiases() throws IOException {
    List<Tensor> t = llamaLike("model.layers.0.", false);
    for (String p : List.of("q", "k", "v")) {
      t.add(bf16("model.layers.0.self_attn." + p + "_proj.bias", H));
    }
    assertQuantized("qwen2", t, llamaProjections("model.layers.0."));
  }

  @Test
  void gemma2WithTiedEmbeddings() throws IOException {
    List<Tensor> t = llamaLike("model.layers.0.", false);
    t.add(bf16("model.layers.0.pre_feedforward_layernorm.weight", H));
    t.add(bf16("model.layers.0.post_feedforward_layernorm.weight", H));
    assertQuantized("gemma2", t, llamaProjections("model.layers.0."));
  }

  @Test
  void phi3FusedProjections() throws IOException {
    String p = "model.layers.0.";
    List<Tensor> t = new ArrayList<>(List.of(bf16("model.embed_tokens.weight", V, H),
        bf16(p + "self_attn.qkv_proj.weight", 3 * H, H), bf16(p + "self_attn.o_proj.weight", H, H),
        bf16(p + "mlp.gate_up_proj.weight", 2 * I, H), bf16(p + "mlp.down_proj.weight", H, I),
        bf16(p + "input_layernorm.weight", H), bf16(p + "post_attention_layernorm.weight", H),
        bf16("model.norm.weight", H), bf16("lm_head.weight", V, H)));
    assertQuantized("phi3", t, Set.of(p + "self_attn.qkv_proj.weight", p + "self_attn.o_proj.weight",
        p + "mlp.gate_up_proj.weight", p + "mlp.down_proj.weight"));
  }

  @Test
  void gptNeoxKeepsEmbedInAndEmbedOut() throws IOException {
    String p = "gpt_neox.layers.0.";
    List<Tensor> t = new ArrayList<>(List.of(bf16("gpt_neox.embed_in.weight", V, H),
        bf16(p + "attention.query_key_value.weight", 3 * H, H), bf16(p + "attention.query_key_value.bias", 3 * H),
        bf16(p + "attention.dense.weight", H, H), bf16(p + "attention.dense.bias", H),
        bf16(p + "mlp.dense_h_to_4h.weight", 4 * H, H), bf16(p + "mlp.dense_h_to_4h.bias", 4 * H),
        bf16(p + "mlp.dense_4h_to_h.weight", H, 4 * H), bf16(p + "mlp.dense_4h_to_h.bias", H),
        bf16(p + "input_layernorm.weight", H), bf16(p + "input_layernorm.bias", H),
        bf16("gpt_neox.final_layer_norm.weight", H), bf16("embed_out.weight", V, H)));
    assertQuantized("gpt_neox", t, Set.of(p + "attention.query_key_value.weight", p + "attention.dense.weight",
        p + "mlp.dense_h_to_4h.weight", p + "mlp.dense_4h_to_h.weight"));
  }

  @Test
  void optKeepsItsEmbeddingsAndPositions() throws IOException {
    String p = "model.decoder.layers.0.";
    List<Tensor> t = new ArrayList<>(List.of(bf16("model.decoder.embed_tokens.weight", V, H),
        bf16("model.decoder.embed_positions.weight", 34, H)));
    for (String proj : List.of("q", "k", "v", "out")) {
      t.add(bf16(p + "self_attn." + proj + "_proj.weight", H, H));
      t.add(bf16(p + "self_attn." + proj + "_proj.bias", H));
    }
    t.addAll(List.of(bf16(p + "fc1.weight", I, H), bf16(p + "fc1.bias", I), bf16(p + "fc2.weight", H, I),
        bf16(p + "fc2.bias", H), bf16(p + "self_attn_layer_norm.weight", H), bf16(p + "final_layer_norm.weight", H),
        bf16("model.decoder.final_layer_norm.weight", H)));
    assertQuantized("opt", t, Set.of(p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
        p + "self_attn.v_proj.weight", p + "self_attn.out_proj.weight", p + "fc1.weight", p + "fc2.weight"));
  }

  @Test
  void bloomKeepsWordEmbeddingsAndTheirLayerNorm() throws IOException {
    String p = "transformer.h.0.";
    List<Tensor> t = new ArrayList<>(List.of(bf16("transformer.word_embeddings.weight", V, H),
        bf16("transformer.word_embeddings_layernorm.weight", H), bf16("transformer.word_embeddings_layernorm.bias", H),
        bf16(p + "self_attention.query_key_value.weight", 3 * H, H), bf16(p + "self_attention.dense.weight", H, H),
        bf16(p + "mlp.dense_h_to_4h.weight", 4 * H, H), bf16(p + "mlp.dense_4h_to_h.weight", H, 4 * H),
        bf16(p + "input_layernorm.weight", H), bf16("transformer.ln_f.weight", H)));
    assertQuantized("bloom", t, Set.of(p + "self_attention.query_key_value.weight", p + "self_attention.dense.weight",
        p + "mlp.dense_h_to_4h.weight", p + "mlp.dense_4h_to_h.weight"));
  }

  @Test
  void mixtralKeepsExpertsAndRouterInTheirDtype() throws IOException {
    String p = "model.layers.0.";
    List<Tensor> t = new ArrayList<>(List.of(bf16("model.embed_tokens.weight", V, H)));
    for (String proj : List.of("q", "k", "v", "o")) {
      t.add(bf16(p + "self_attn." + proj + "_proj.weight", H, H));
    }
    t.add(bf16(p + "block_sparse_moe.gate.weight", 4, H));
    for (int e = 0; e < 2; e++) {
      t.add(bf16(p + "block_sparse_moe.experts." + e + ".w1.weight", I, H));
      t.add(bf16(p + "block_sparse_moe.experts." + e + ".w2.weight", H, I));
      t.add(bf16(p + "block_sparse_moe.experts." + e + ".w3.weight", I, H));
    }
    t.addAll(List.of(bf16(p + "input_layernorm.weight", H), bf16("model.norm.weight", H), bf16("lm_head.weight", V, H)));
    assertQuantized("mixtral", t, Set.of(p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
        p + "self_attn.v_proj.weight", p + "self_attn.o_proj.weight"));
  }

  /**
   * GPT-2's Conv1D weights are [in, out]: quantized as their transpose. Checked against the same
   * values transposed by the test and written as a Linear weight of a Llama checkpoint. The hidden
   * size 40 is no multiple of the blocksize, and 4 KiB blocks cut each weight into several tasks.
   */
  @Test
  void gpt2Conv1dWeightsAreTransposedThenQuantized() throws IOException {
    long h = 40;
    String p = "transformer.h.0.";
    List<Tensor> t = new ArrayList<>(List.of(bf16("transformer.wte.weight", V, h), bf16("transformer.wpe.weight", 32, h),
        bf16(p + "ln_1.weight", h), bf16(p + "attn.c_attn.weight", h, 3 * h), bf16(p + "attn.c_attn.bias", 3 * h),
        bf16(p + "attn.c_proj.weight", h, h), bf16(p + "mlp.c_fc.weight", h, 4 * h), bf16(p + "mlp.c_fc.bias", 4 * h),
        bf16(p + "mlp.c_proj.weight", 4 * h, h), bf16("transformer.ln_f.weight", h)));
    Set<String> conv1d = Set.of(p + "attn.c_attn.weight", p + "attn.c_proj.weight", p + "mlp.c_fc.weight", p + "mlp.c_proj.weight");
    Path gpt2 = assertQuantized("gpt2", t, conv1d);

    List<Tensor> linear = new ArrayList<>();
    for (Tensor x : t) {
      if (conv1d.contains(x.spec().name())) {
        linear.add(transposed(x));
      }
    }
    Path asLinear = convert("llama", linear, QuantMode.NF4);
    try (TensorFiles ours = new TensorFiles(gpt2); TensorFiles expected = new TensorFiles(asLinear)) {
      for (String w : conv1d) {
        List<Long> inShape = t.stream().filter(x -> x.spec().name().equals(w)).findFirst().orElseThrow().spec().shape();
        assertEquals("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": ["
            + inShape.get(1) + ", " + inShape.get(0) + "]}", new String(ours.bytes(w + ".quant_state.bitsandbytes__nf4")));
        for (String suffix : List.of("", ".absmax", ".quant_state.bitsandbytes__nf4")) {
          assertArrayEquals(expected.bytes(w + suffix), ours.bytes(w + suffix), w + suffix);
        }
      }
    }
  }

  @Test
  void int8TrainingCastsTheSameSelection() throws IOException {
    List<Tensor> t = llamaLike("model.layers.0.", true);
    Path out = convert("llama", t, QuantMode.INT8_TRAINING);
    Set<String> cast = new TreeSet<>();
    try (TensorFiles f = new TensorFiles(out)) {
      for (TensorEntry e : f.file().header().tensors()) {
        if (e.dtype() == Dtype.F16) {
          cast.add(e.name());
        }
      }
    }
    assertEquals(new TreeSet<>(llamaProjections("model.layers.0.")), cast);
  }

  /** Converts to nf4; asserts which weights were quantized and that the rest are the input's bytes. */
  private Path assertQuantized(String modelType, List<Tensor> tensors, Set<String> expected) throws IOException {
    Path out = convert(modelType, tensors, QuantMode.NF4);
    Set<String> quantized = new TreeSet<>();
    try (TensorFiles f = new TensorFiles(out)) {
      for (Tensor t : tensors) {
        String name = t.spec().name();
        if (f.entry(name + ".quant_state.bitsandbytes__nf4") != null) {
          quantized.add(name);
          continue;
        }
        assertEquals(t.spec().dtype(), f.entry(name).dtype(), name);
        assertEquals(t.spec().shape(), f.entry(name).shape(), name);
        assertArrayEquals(t.data(), f.bytes(name), name);
      }
    }
    assertEquals(new TreeSet<>(expected), quantized, modelType);
    return out;
  }

  private Path convert(String modelType, List<Tensor> tensors, QuantMode mode) throws IOException {
    Path model = Files.createTempDirectory(dir, modelType);
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"" + modelType + "\"}");
    TestCheckpoints.write(model.resolve("model.safetensors"), tensors);
    Path out = model.resolveSibling(model.getFileName() + "-" + mode.cliName());
    ConversionJob.run(sc, ConvertOptions.of(model.toString(), out.toString(), mode).withBlockBytes(4 << 10), line -> {});
    return out.resolve("model.safetensors");
  }

  private static List<Tensor> llamaLike(String p, boolean withHead) {
    List<Tensor> t = new ArrayList<>(List.of(bf16("model.embed_tokens.weight", V, H)));
    for (String proj : List.of("q", "k", "v", "o")) {
      t.add(bf16(p + "self_attn." + proj + "_proj.weight", H, H));
    }
    t.addAll(List.of(bf16(p + "mlp.gate_proj.weight", I, H), bf16(p + "mlp.up_proj.weight", I, H),
        bf16(p + "mlp.down_proj.weight", H, I), bf16(p + "input_layernorm.weight", H),
        bf16(p + "post_attention_layernorm.weight", H), bf16("model.norm.weight", H)));
    if (withHead) {
      t.add(bf16("lm_head.weight", V, H));
    }
    return t;
  }

  private static Set<String> llamaProjections(String p) {
    return Set.of(p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight",
        p + "self_attn.o_proj.weight", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight");
  }

  /** A bfloat16 tensor of normal values (deterministic per name), as a checkpoint holds them. */
  private static Tensor bf16(String name, long... shape) {
    List<Long> dims = new ArrayList<>();
    long n = 1;
    for (long d : shape) {
      dims.add(d);
      n *= d;
    }
    SplittableRandom random = new SplittableRandom(name.hashCode());
    ByteBuffer b = ByteBuffer.allocate((int) n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < n; i++) {
      b.putShort((short) (Float.floatToRawIntBits((float) (random.nextGaussian() * 0.02)) >>> 16));
    }
    return new Tensor(new TensorSpec(name, Dtype.BF16, dims), b.array());
  }

  private static Tensor transposed(Tensor t) {
    int rows = t.spec().shape().get(0).intValue();
    int cols = t.spec().shape().get(1).intValue();
    byte[] out = new byte[t.data().length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[(c * rows + r) * 2] = t.data()[(r * cols + c) * 2];
        out[(c * rows + r) * 2 + 1] = t.data()[(r * cols + c) * 2 + 1];
      }
    }
    return new Tensor(new TensorSpec(t.spec().name(), Dtype.BF16, List.of((long) cols, (long) rows)), out);
  }
}
