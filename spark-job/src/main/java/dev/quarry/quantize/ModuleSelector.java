package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.safetensors.TensorEntry;
import java.util.Set;

/**
 * Which tensors get quantized ({@code bnb-exact.md} §6). By default the weights of Linear layers,
 * as {@code transformers} selects them: 2-D tensors named {@code *.weight}, except the output head
 * and the embeddings. With {@code allTensors}, every floating-point tensor the kernels read (F32,
 * F16, BF16) of any rank. Empty tensors are never quantized. Everything else is copied unchanged.
 */
public final class ModuleSelector {
  /** Module names transformers never quantizes: output heads and embeddings. */
  static final Set<String> SKIPPED_MODULES = Set.of(
      "lm_head", "embed_out", "embed_tokens", "wte", "wpe", "word_embeddings", "embed_in", "embed_positions");

  private final boolean allTensors;

  public ModuleSelector(boolean allTensors) {
    this.allTensors = allTensors;
  }

  public boolean quantizes(TensorEntry t) {
    if (ElementType.fromSafetensorsName(t.dtype().name()) == null || t.elementCount() == 0) {
      return false;
    }
    if (allTensors) {
      return true;
    }
    return t.rank() == 2 && t.name().endsWith(".weight") && !inSkippedModule(t.name());
  }

  /** True when any component of the dotted module path is an output head or embedding. */
  private static boolean inSkippedModule(String tensorName) {
    for (String component : tensorName.split("\\.")) {
      if (SKIPPED_MODULES.contains(component)) {
        return true;
      }
    }
    return false;
  }
}
