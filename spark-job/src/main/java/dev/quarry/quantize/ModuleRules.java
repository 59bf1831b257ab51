package dev.quarry.quantize;

import java.util.List;

/**
 * The user's say in module selection, on top of transformers' defaults: {@code allLinear} quantizes
 * the output head too (Lightning Fabric replaces every {@code nn.Linear}); {@code skipModules} are
 * kept unquantized (like {@code llm_int8_skip_modules}); {@code includeModules} are quantized even
 * where the defaults would keep them. {@code modelType} is config.json's {@code model_type} (null
 * when unknown): GPT-2-style models store their {@code Conv1D} weights transposed.
 */
public record ModuleRules(boolean allLinear, List<String> skipModules, List<String> includeModules, String modelType) {
  public static final ModuleRules TRANSFORMERS_DEFAULTS = new ModuleRules(false, List.of(), List.of(), null);

  public ModuleRules {
    skipModules = List.copyOf(skipModules);
    includeModules = List.copyOf(includeModules);
  }

  public ModuleRules withModelType(String type) {
    return new ModuleRules(allLinear, skipModules, includeModules, type);
  }
}
