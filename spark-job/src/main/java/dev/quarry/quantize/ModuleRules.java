package dev.quarry.quantize;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The user's say in module selection, on top of transformers' defaults: {@code allLinear} quantizes
 * the output head too (Lightning Fabric replaces every {@code nn.Linear}); {@code skipModules} are
 * kept unquantized (like {@code llm_int8_skip_modules}); {@code includeModules} are quantized even
 * where the defaults would keep them. {@code modelType} is config.json's {@code model_type} (null
 * when unknown): GPT-2-style models store their {@code Conv1D} weights transposed.
 */
public record ModuleRules(boolean allLinear, List<String> skipModules, List<String> includeModules, String modelType) {
  public static final ModuleRules TRANSFORMERS_DEFAULTS = new ModuleRules(false, List.of(), List.of(), null);

  /** @throws IllegalArgumentException naming a pattern that selects no module because it is not a regular expression */
  public ModuleRules {
    skipModules = List.copyOf(skipModules);
    includeModules = List.copyOf(includeModules);
    for (String p : skipModules) {
      requireValid("skip", p);
    }
    for (String p : includeModules) {
      requireValid("include", p);
    }
  }

  /**
   * Why {@code pattern} cannot select modules, or null. Every entry is also tried as a regular
   * expression (transformers' rule, {@code ModuleSelector}), and one that does not compile would
   * silently match nothing here while transformers fails to load the output over it.
   */
  public static String problem(String pattern) {
    try {
      Pattern.compile(pattern);
      return null;
    } catch (PatternSyntaxException e) {
      return "'" + pattern + "' is not a regular expression (" + e.getDescription().toLowerCase(Locale.ROOT)
          + " at character " + (e.getIndex() + 1) + "); a pattern is a module's full name, a dotted suffix of it, "
          + "or a regular expression matching all of it";
    }
  }

  private static void requireValid(String kind, String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException(kind + " pattern " + problem);
    }
  }

  public ModuleRules withModelType(String type) {
    return new ModuleRules(allLinear, skipModules, includeModules, type);
  }
}
