package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.TensorEntry;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which tensors get quantized ({@code bnb-exact.md} §6). By default the weights of Linear layers,
 * as {@code transformers} selects them: 2-D tensors named {@code *.weight}, except the output head,
 * the embeddings and (transformers 5) mixture-of-experts experts and routers. {@link ModuleRules}
 * adds the head (Fabric), skip and include patterns. With {@code allTensors}, every floating-point
 * tensor the kernels read (F32, F16, BF16) of any rank. Empty tensors are never quantized.
 * Everything else is copied unchanged.
 */
public final class ModuleSelector {
  /** Output heads: Linear layers transformers keeps, Fabric quantizes. */
  public static final Set<String> HEADS = Set.of("lm_head", "embed_out");
  /** Embeddings: never Linear layers. */
  static final Set<String> EMBEDDINGS =
      Set.of("embed_tokens", "wte", "wpe", "word_embeddings", "embed_in", "embed_positions");
  /**
   * transformers 5 holds MoE experts as fused parameters (not Linear layers) and keeps the router
   * ({@code gate}, {@code router}) unquantized, so both stay in their original dtype.
   */
  static final Set<String> MOE_COMPONENTS = Set.of("experts");
  static final Set<String> ROUTER_LEAVES = Set.of("gate", "router");
  /** Model types whose projections are GPT-2 {@code Conv1D} layers, weights stored as [in, out]. */
  static final Set<String> CONV1D_MODEL_TYPES = Set.of("gpt2", "openai-gpt", "imagegpt", "decision_transformer");
  static final Set<String> CONV1D_LEAVES = Set.of("c_attn", "c_proj", "c_fc", "q_attn");

  private static final String WEIGHT = ".weight";

  private final boolean allTensors;
  private final ModuleRules rules;

  public ModuleSelector(boolean allTensors) {
    this(allTensors, ModuleRules.TRANSFORMERS_DEFAULTS);
  }

  public ModuleSelector(boolean allTensors, ModuleRules rules) {
    this.allTensors = allTensors;
    this.rules = rules;
  }

  public boolean quantizes(TensorEntry t) {
    return keeps(t) == null;
  }

  /** Why {@code t} is copied unquantized, or null when it is quantized. */
  public KeepReason keeps(TensorEntry t) {
    KeepReason byRules = keepsByRules(t);
    if (byRules != null) {
      return byRules;
    }
    return ElementType.fromSafetensorsName(t.dtype().name()) == null ? KeepReason.DTYPE : null;
  }

  /**
   * Rejects a Linear weight whose dtype no kernel reads (F64, an integer or 8-bit float type):
   * copying it unquantized would give a checkpoint transformers cannot load, because it builds a
   * quantized module for every Linear weight not in {@code llm_int8_skip_modules}. With
   * {@code allTensors} such tensors are copied: that mode promises only the float tensors.
   */
  public void checkDtype(String file, TensorEntry t, QuantMode mode) throws CheckpointException {
    if (!allTensors && keeps(t) == KeepReason.DTYPE) {
      throw new CheckpointException(file, t.name(), "dtype " + t.dtype() + " cannot be quantized to " + mode
          + " (only F32, F16 and BF16 weights can)");
    }
  }

  /** The rules alone, whatever the dtype: null for a Linear weight (or, with allTensors, any non-empty tensor). */
  private KeepReason keepsByRules(TensorEntry t) {
    if (t.elementCount() == 0) {
      return KeepReason.EMPTY;
    }
    if (allTensors) {
      return null;
    }
    if (t.rank() != 2 || !t.name().endsWith(WEIGHT)) {
      return KeepReason.NOT_A_LINEAR_WEIGHT;
    }
    String module = t.name().substring(0, t.name().length() - WEIGHT.length());
    if (matchesAny(module, rules.includeModules())) {
      return null;
    }
    if (matchesAny(module, rules.skipModules())) {
      return KeepReason.SKIP_MODULES;
    }
    String[] components = module.split("\\.");
    for (String c : components) {
      if (EMBEDDINGS.contains(c)) {
        return KeepReason.EMBEDDING;
      }
      if (MOE_COMPONENTS.contains(c)) {
        return KeepReason.MOE_EXPERTS;
      }
      if (!rules.allLinear() && HEADS.contains(c)) {
        return KeepReason.OUTPUT_HEAD;
      }
    }
    return ROUTER_LEAVES.contains(components[components.length - 1]) ? KeepReason.MOE_ROUTER : null;
  }

  /** Whether a quantized tensor is a {@code Conv1D} weight, to be transposed to [out, in] first. */
  public boolean transposes(TensorEntry t) {
    if (rules.modelType() == null || !CONV1D_MODEL_TYPES.contains(rules.modelType())
        || t.rank() != 2 || !t.name().endsWith(WEIGHT) || !quantizes(t)) {
      return false;
    }
    String module = t.name().substring(0, t.name().length() - WEIGHT.length());
    return CONV1D_LEAVES.contains(module.substring(module.lastIndexOf('.') + 1));
  }

  /**
   * transformers 5's rule for {@code llm_int8_skip_modules} entries: the module's full name, a
   * dotted suffix of it, or a regular expression matching all of it.
   */
  static boolean matchesAny(String module, List<String> patterns) {
    for (String p : patterns) {
      if (module.equals(p) || module.endsWith("." + p) || Pattern.matches(p, module)) {
        return true;
      }
    }
    return false;
  }
}
