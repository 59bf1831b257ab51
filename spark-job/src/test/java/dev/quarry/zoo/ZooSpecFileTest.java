package dev.quarry.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.ElementType;
import dev.quarry.quantize.QuantStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every mistake a spec's author can make is told in the spec's terms — file, line, key, what is
 * wrong, what is allowed — and never names a Java class; and the documented example spec is valid.
 */
class ZooSpecFileTest {
  private static final String MODEL_KEYS =
      "name, input, modes, blocksize, all_linear, skip_modules, include_modules, max_shard_size, quant_storage, "
          + "compute_dtype";
  private static final String MODES = "nf4, nf4-dq, fp4, fp4-dq, int8, int8-training";

  private static String error(String yaml) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ZooSpecFile.read("zoo.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))));
    String message = e.getMessage();
    for (String internal : List.of("dev.quarry", "com.fasterxml", "org.yaml", "java.", "Exception", "class ")) {
      assertFalse(message.contains(internal), "no library internals (" + internal + "): " + message);
    }
    assertFalse(message.contains("\n"), "one line: " + message);
    return message;
  }

  private static String spec(String models) {
    return "output_root: /out\nmodes: [int8]\nmodels:\n" + models;
  }

  @Test
  void unknownKeysAreNamedWithTheirLineAndTheKeysAllowed() {
    assertEquals("zoo.yaml, line 1: unknown key 'output' in a zoo spec; allowed keys: output_root, modes, defaults, models",
        error("output: /out\nmodels:\n  - name: a\n    input: /m\n"));
    assertEquals("zoo.yaml, line 6: unknown key 'blocksise' in model 'a'; allowed keys: " + MODEL_KEYS,
        error(spec("  - name: a\n    input: /m\n    blocksise: 64\n")));
    assertEquals("zoo.yaml, line 3: unknown key 'name' in defaults; allowed keys: modes, blocksize, all_linear, "
        + "skip_modules, include_modules, max_shard_size, quant_storage, compute_dtype",
        error("output_root: /out\ndefaults:\n  name: x\nmodels: []\n"));
  }

  @Test
  void valuesOfTheWrongKindSayWhatTheyMustBe() {
    assertEquals("zoo.yaml, line 6: blocksize in model 'a' is 'big'; it must be a power of two from 32 to 4096",
        error(spec("  - name: a\n    input: /m\n    blocksize: big\n")));
    assertEquals("zoo.yaml, line 6: blocksize in model 'a' is 100; it must be a power of two from 32 to 4096",
        error(spec("  - name: a\n    input: /m\n    blocksize: 100\n")));
    assertEquals("zoo.yaml, line 3: all_linear in defaults is 3; it must be true or false",
        error("output_root: /out\ndefaults:\n  all_linear: 3\nmodels:\n  - name: a\n    input: /m\n"));
    assertEquals("zoo.yaml, line 2: modes is 'int8'; it must be a list of modes like [nf4-dq, int8], each one of " + MODES,
        error("output_root: /out\nmodes: int8\nmodels:\n  - name: a\n    input: /m\n"));
    assertEquals("zoo.yaml, line 6: modes in model 'a': unknown mode 'nf5'; the modes are " + MODES,
        error(spec("  - name: a\n    input: /m\n    modes: [nf5]\n")));
    assertEquals("zoo.yaml, line 6: max_shard_size in model 'a' is '5XB'; it must be a size like 5GB, 500MB, 2GiB or "
        + "a positive byte count", error(spec("  - name: a\n    input: /m\n    max_shard_size: 5XB\n")));
    assertEquals("zoo.yaml, line 6: quant_storage in model 'a' is 'int4'; it must be one of uint8, bfloat16, float16, "
        + "float32", error(spec("  - name: a\n    input: /m\n    quant_storage: int4\n")));
    assertEquals("zoo.yaml, line 3: compute_dtype in defaults is 'fp32'; it must be one of float32, float16, bfloat16",
        error("output_root: /out\ndefaults:\n  compute_dtype: fp32\nmodels:\n  - name: a\n    input: /m\n"));
    assertEquals("zoo.yaml, line 5: input in model 'a' is a list; it must be text",
        error(spec("  - name: a\n    input: [/m]\n")));
    assertEquals("zoo.yaml, line 3: models must be a list of at least one model (- name: ..., input: ...), not "
        + "a mapping (key: value lines)", error("output_root: /out\nmodes: [int8]\nmodels:\n  a: /m\n"));
    assertEquals("zoo.yaml, line 1: a zoo spec must be a mapping of output_root, modes, defaults, models, not a list",
        error("- output_root: /out\n"));
  }

  @Test
  void modulePatternsMustBeRegularExpressions() {
    assertEquals("zoo.yaml, line 6: an entry of skip_modules in model 'a': '(' is not a regular expression (unclosed "
        + "group at character 2); a pattern is a module's full name, a dotted suffix of it, or a regular expression "
        + "matching all of it", error(spec("  - name: a\n    input: /m\n    skip_modules: [lm_head, '(']\n")));
  }

  @Test
  void missingKeysAreNamed() {
    assertEquals("zoo.yaml, line 1: output_root is missing in a zoo spec; its keys are output_root, modes, defaults, "
        + "models", error("models:\n  - name: a\n    input: /m\n"));
    assertEquals("zoo.yaml, line 4: input is missing in model 'a'; its keys are " + MODEL_KEYS,
        error(spec("  - name: a\n")));
    assertEquals("zoo.yaml, line 4: name is missing in a model; its keys are " + MODEL_KEYS,
        error(spec("  - input: /m\n")));
    assertEquals("zoo.yaml, line 3: models must be a list of at least one model (- name: ..., input: ...), not a list",
        error("output_root: /out\nmodes: [int8]\nmodels: []\n"));
    assertEquals("zoo.yaml, line 3: model 'a' has no modes, and the spec gives none; add modes: [...] to the model or "
        + "to the spec (modes are " + MODES + ")", error("output_root: /out\nmodels:\n  - name: a\n    input: /m\n"));
    assertEquals("zoo.yaml: the file is empty; a zoo spec has the keys output_root, modes, defaults, models "
        + "(see conf/zoo-example.yaml)", error(""));
  }

  @Test
  void namesAndKeysAreEachGivenOnce() {
    assertEquals("zoo.yaml, line 6: model name 'a' is given twice (first on line 4); each model needs a name of its own",
        error(spec("  - name: a\n    input: /m\n  - name: a\n    input: /n\n")));
    assertEquals("zoo.yaml, line 4: model name '../a' is not a plain file name; allowed: letters, digits, '.', '_' and "
        + "'-', starting with a letter or digit (it names the model's output directory)",
        error(spec("  - name: ../a\n    input: /m\n")));
    assertEquals("zoo.yaml, line 3: key 'output_root' is given twice (first on line 1)",
        error("output_root: /out\nmodes: [int8]\noutput_root: /other\nmodels:\n  - name: a\n    input: /m\n"));
  }

  @Test
  void badYamlIsToldWithItsLine() {
    assertEquals("zoo.yaml, line 1: not valid YAML: mapping values are not allowed here",
        error("output_root: /out: x\n"));
  }

  /** A model's storage and compute dtype override the defaults'; a compute dtype given nowhere is the model's own. */
  @Test
  void outputDtypesComeFromTheModelOrTheDefaults() throws IOException {
    String yaml = "output_root: /out\nmodes: [nf4]\ndefaults:\n  quant_storage: bfloat16\nmodels:\n"
        + "  - name: a\n    input: /m\n    compute_dtype: float16\n  - name: b\n    input: /n\n    quant_storage: float32\n";
    List<ZooJob> jobs = ZooSpecFile.read("zoo.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).jobs();
    assertEquals(QuantStorage.BFLOAT16, jobs.get(0).options().quantStorage());
    assertEquals(ElementType.F16, jobs.get(0).options().computeDtype());
    assertEquals(QuantStorage.FLOAT32, jobs.get(1).options().quantStorage());
    assertEquals(null, jobs.get(1).options().computeDtype());
  }

  @Test
  void documentedExampleSpecIsValid() throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("..", "conf", "zoo-example.yaml"))) {
      ZooSpec spec = ZooSpecFile.read("zoo-example.yaml", in);
      List<ZooJob> jobs = spec.jobs();
      assertEquals("/data/quarry-zoo", spec.outputRoot());
      assertEquals(List.of("llama-3-8b nf4-dq", "llama-3-8b int8", "mistral-7b nf4", "mistral-7b fp4-dq", "gpt2 int8-training"),
          jobs.stream().map(j -> j.model() + " " + j.options().mode()).toList());
      assertEquals(128, jobs.get(2).options().blocksize());
      assertEquals(64, jobs.get(0).options().blocksize());
      assertEquals(List.of("lm_head", "mlp.down_proj"), jobs.get(2).options().rules().skipModules());
      assertEquals("/data/quarry-zoo/mistral-7b/fp4-dq", jobs.get(3).options().output());
      assertEquals(5_000_000_000L, jobs.get(0).options().maxShardBytes());
      assertTrue(jobs.get(4).options().rules().allLinear());
      assertFalse(jobs.get(0).options().rules().allLinear());
      assertEquals(QuantStorage.UINT8, jobs.get(0).options().quantStorage());
    }
  }
}
