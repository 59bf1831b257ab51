package dev.quarry.zoo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.kernels.Blocksize;
import dev.quarry.kernels.ElementType;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import dev.quarry.safetensors.ShardSize;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Reads a zoo spec (YAML; {@code conf/zoo-example.yaml} documents it) and turns it into its jobs, model
 * by model and mode by mode. Everything is checked before anything runs, and every mistake is told in
 * the spec's own terms — the file, the line, the key, what is wrong and what is allowed: an unknown key
 * (a typo is an error, not a silently ignored setting), a value of the wrong kind, bad YAML, a missing
 * key, a duplicate or unsafe model name, an unknown mode, a bad block or shard size. The YAML is read
 * token by token rather than bound to classes, so that no message can name a Java class and every
 * value keeps its line.
 */
public final class ZooSpecFile {
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final List<String> SPEC_KEYS = List.of("output_root", "modes", "defaults", "models");
  /** The settings a model may override; {@code defaults} holds the same keys. */
  private static final List<String> SETTING_KEYS =
      List.of("modes", "blocksize", "all_linear", "skip_modules", "include_modules", "max_shard_size", "quant_storage",
          "compute_dtype");
  private static final List<String> MODEL_KEYS = concat(List.of("name", "input"), SETTING_KEYS);
  private static final Settings NO_DEFAULTS =
      new Settings(null, 64, false, List.of(), List.of(), ConvertOptions.DEFAULT_MAX_SHARD_BYTES, QuantStorage.UINT8, null);

  private ZooSpecFile() {}

  /**
   * The spec in {@code in}, read from {@code file} (the name its errors give); throws
   * IllegalArgumentException with a one-line message naming the file, the line and what is wrong.
   */
  public static ZooSpec read(String file, InputStream in) throws IOException {
    Node root = parse(file, in);
    Map<String, Node> spec = mapping(file, root, "a zoo spec", SPEC_KEYS);
    String outputRoot = text(file, required(file, root, spec, "output_root", "a zoo spec", SPEC_KEYS), "output_root");
    Settings defaults = NO_DEFAULTS;
    Node given = spec.get("defaults");
    if (given != null && given.value != null) {
      defaults = settings(file, mapping(file, given, "defaults", SETTING_KEYS), "in defaults").over(defaults);
    }
    if (spec.get("modes") != null) {
      defaults = new Settings(modes(file, spec.get("modes"), "modes"), null, null, null, null, null, null, null).over(defaults);
    }
    Node models = required(file, root, spec, "models", "a zoo spec", SPEC_KEYS);
    if (!(models.value instanceof List<?> list) || list.isEmpty()) {
      throw error(file, models, "models must be a list of at least one model (- name: ..., input: ...), not "
          + kind(models.value));
    }
    List<ZooJob> jobs = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (Object element : list) {
      Node model = (Node) element;
      // a model's errors name it when it has a name, so the author finds it by more than its line
      String what = model.value instanceof Map<?, ?> m && m.get("name") instanceof Node n && n.value instanceof String s
          ? "model '" + s + "'" : "a model";
      Map<String, Node> keys = mapping(file, model, what, MODEL_KEYS);
      String name = text(file, required(file, model, keys, "name", what, MODEL_KEYS), "name");
      if (!NAME.matcher(name).matches()) {
        throw error(file, keys.get("name"), "model name '" + name + "' is not a plain file name; allowed: letters, "
            + "digits, '.', '_' and '-', starting with a letter or digit (it names the model's output directory)");
      }
      Integer first = names.putIfAbsent(name, keys.get("name").line);
      if (first != null) {
        throw error(file, keys.get("name"), "model name '" + name + "' is given twice (first on line " + first
            + "); each model needs a name of its own");
      }
      String where = "in " + what;
      String input = text(file, required(file, model, keys, "input", what, MODEL_KEYS), "input " + where);
      Settings s = settings(file, keys, where).over(defaults);
      if (s.modes == null) {
        throw error(file, model, "model '" + name + "' has no modes, and the spec gives none; add modes: [...] to "
            + "the model or to the spec (modes are " + QuantMode.cliNames() + ")");
      }
      ModuleRules rules = new ModuleRules(s.allLinear, s.skipModules, s.includeModules, null);
      for (QuantMode mode : s.modes) {
        String output = ConvertOptions.modeOutput(new Path(outputRoot, name).toString(), mode);
        jobs.add(new ZooJob(name, new ConvertOptions(input, output, mode, s.blocksize, rules,
            ConvertOptions.DEFAULT_BLOCK_BYTES, s.maxShardBytes, 0).withOutputDtypes(s.quantStorage, s.computeDtype)));
      }
    }
    return new ZooSpec(outputRoot, jobs);
  }

  /** A model's or the defaults' settings, null where not given (a compute dtype given nowhere: the model's). */
  private record Settings(List<QuantMode> modes, Integer blocksize, Boolean allLinear, List<String> skipModules,
      List<String> includeModules, Long maxShardBytes, QuantStorage quantStorage, ElementType computeDtype) {
    Settings over(Settings d) {
      return new Settings(modes != null ? modes : d.modes, blocksize != null ? blocksize : d.blocksize,
          allLinear != null ? allLinear : d.allLinear, skipModules != null ? skipModules : d.skipModules,
          includeModules != null ? includeModules : d.includeModules,
          maxShardBytes != null ? maxShardBytes : d.maxShardBytes, quantStorage != null ? quantStorage : d.quantStorage,
          computeDtype != null ? computeDtype : d.computeDtype);
    }
  }

  private static Settings settings(String file, Map<String, Node> keys, String where) {
    Node modes = keys.get("modes");
    Node blocksize = keys.get("blocksize");
    Node allLinear = keys.get("all_linear");
    Node skip = keys.get("skip_modules");
    Node include = keys.get("include_modules");
    Node maxShard = keys.get("max_shard_size");
    Node storage = keys.get("quant_storage");
    Node compute = keys.get("compute_dtype");
    return new Settings(modes == null ? null : modes(file, modes, "modes " + where),
        blocksize == null ? null : blocksize(file, blocksize, "blocksize " + where),
        allLinear == null ? null : flag(file, allLinear, "all_linear " + where),
        skip == null ? null : patterns(file, skip, "skip_modules " + where),
        include == null ? null : patterns(file, include, "include_modules " + where),
        maxShard == null ? null : shardSize(file, maxShard, "max_shard_size " + where),
        storage == null ? null : quantStorage(file, storage, "quant_storage " + where),
        compute == null ? null : computeDtype(file, compute, "compute_dtype " + where));
  }

  private static QuantStorage quantStorage(String file, Node node, String key) {
    for (QuantStorage s : QuantStorage.values()) {
      if (s.torchName().equals(node.value)) {
        return s;
      }
    }
    throw error(file, node, key + " is " + kind(node.value) + "; it must be one of " + QuantStorage.names());
  }

  private static ElementType computeDtype(String file, Node node, String key) {
    ElementType t = node.value instanceof String s ? ElementType.fromTorchName(s) : null;
    if (t == null) {
      throw error(file, node, key + " is " + kind(node.value) + "; it must be one of " + ElementType.torchNames());
    }
    return t;
  }

  private static List<QuantMode> modes(String file, Node node, String key) {
    if (!(node.value instanceof List<?>)) {
      throw error(file, node, key + " is " + kind(node.value) + "; it must be a list of modes like [nf4-dq, int8], "
          + "each one of " + QuantMode.cliNames());
    }
    List<QuantMode> modes = new ArrayList<>();
    for (String mode : texts(file, node, key)) {
      try {
        modes.add(QuantMode.fromCliName(mode));
      } catch (IllegalArgumentException e) {
        throw error(file, node, key + ": unknown mode '" + mode + "'; the modes are " + QuantMode.cliNames());
      }
    }
    if (modes.isEmpty()) {
      throw error(file, node, key + " is empty; list at least one of " + QuantMode.cliNames());
    }
    return List.copyOf(modes);
  }

  private static int blocksize(String file, Node node, String key) {
    String allowed = "a power of two from " + Blocksize.MIN + " to " + Blocksize.MAX;
    if (!(node.value instanceof Number n) || n.longValue() != n.doubleValue() || Math.abs(n.longValue()) > Blocksize.MAX
        || Integer.bitCount(n.intValue()) != 1 || n.intValue() < Blocksize.MIN) {
      throw error(file, node, key + " is " + kind(node.value) + "; it must be " + allowed);
    }
    return n.intValue();
  }

  private static boolean flag(String file, Node node, String key) {
    if (!(node.value instanceof Boolean b)) {
      throw error(file, node, key + " is " + kind(node.value) + "; it must be true or false");
    }
    return b;
  }

  private static long shardSize(String file, Node node, String key) {
    String size = node.value instanceof Number n ? n.toString() : node.value instanceof String s ? s : null;
    try {
      if (size != null) {
        return ShardSize.parse(size);
      }
    } catch (IllegalArgumentException e) {
      // ShardSize says what a size looks like; the line and key come from here
    }
    throw error(file, node, key + " is " + kind(node.value) + "; it must be a size like 5GB, 500MB, 2GiB or a "
        + "positive byte count");
  }

  private static List<String> texts(String file, Node node, String key) {
    if (!(node.value instanceof List<?> list)) {
      throw error(file, node, key + " is " + kind(node.value) + "; it must be a list like [a, b]");
    }
    List<String> texts = new ArrayList<>();
    for (Object element : list) {
      texts.add(text(file, (Node) element, "an entry of " + key));
    }
    return List.copyOf(texts);
  }

  /** A list of module patterns ({@link ModuleRules#problem}). */
  private static List<String> patterns(String file, Node node, String key) {
    List<String> patterns = texts(file, node, key);
    for (int i = 0; i < patterns.size(); i++) {
      String problem = ModuleRules.problem(patterns.get(i));
      if (problem != null) {
        throw error(file, (Node) ((List<?>) node.value).get(i), "an entry of " + key + ": " + problem);
      }
    }
    return patterns;
  }

  private static String text(String file, Node node, String key) {
    if (!(node.value instanceof String s) || s.isEmpty()) {
      throw error(file, node, key + " is " + kind(node.value) + "; it must be text");
    }
    return s;
  }

  /** The keys of {@code node}, which must be a mapping of only {@code allowed} keys. */
  private static Map<String, Node> mapping(String file, Node node, String what, List<String> allowed) {
    if (!(node.value instanceof Map<?, ?> map)) {
      throw error(file, node, what + " must be a mapping of " + String.join(", ", allowed) + ", not " + kind(node.value));
    }
    @SuppressWarnings("unchecked")
    Map<String, Node> keys = (Map<String, Node>) map;
    for (Map.Entry<String, Node> key : keys.entrySet()) {
      if (!allowed.contains(key.getKey())) {
        throw error(file, key.getValue(), "unknown key '" + key.getKey() + "' in " + what + "; allowed keys: "
            + String.join(", ", allowed));
      }
    }
    return keys;
  }

  private static Node required(String file, Node parent, Map<String, Node> keys, String key, String what,
      List<String> allowed) {
    Node node = keys.get(key);
    if (node == null) {
      throw error(file, parent, key + " is missing in " + what + "; its keys are " + String.join(", ", allowed));
    }
    return node;
  }

  /** How a value reads to the spec's author, for "X is ...; it must be ...". */
  private static String kind(Object value) {
    if (value == null) {
      return "empty";
    } else if (value instanceof String s) {
      return "'" + s + "'";
    } else if (value instanceof List<?>) {
      return "a list";
    } else if (value instanceof Map<?, ?>) {
      return "a mapping (key: value lines)";
    }
    return String.valueOf(value);
  }

  private static IllegalArgumentException error(String file, Node at, String message) {
    return new IllegalArgumentException(file + ", line " + at.line + ": " + message);
  }

  /** A YAML value — String, Number, Boolean, null, List of Node or Map of String to Node — and its line. */
  private record Node(Object value, int line) {}

  private static Node parse(String file, InputStream in) throws IOException {
    try (JsonParser p = YAML.createParser(in)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new IllegalArgumentException(file + ": the file is empty; a zoo spec has the keys "
            + String.join(", ", SPEC_KEYS) + " (see conf/zoo-example.yaml)");
      }
      Node root = node(file, p, first);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException(file + ", line " + line(p) + ": a second YAML document; a zoo spec is one");
      }
      return root;
    } catch (JacksonException e) {
      // The YAML parser's own words for what it met (e.g. "mapping values are not allowed here"), without
      // its context lines; the line is ours.
      String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new IllegalArgumentException(file + (line > 0 ? ", line " + line : "") + ": not valid YAML: " + problem);
    }
  }

  private static Node node(String file, JsonParser p, JsonToken token) throws IOException {
    int line = line(p);
    switch (token) {
      case START_OBJECT -> {
        Map<String, Node> keys = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p);
          Node value = node(file, p, p.nextToken());
          Node before = keys.put(key, new Node(value.value, keyLine));
          if (before != null) {
            throw new IllegalArgumentException(file + ", line " + keyLine + ": key '" + key
                + "' is given twice (first on line " + before.line + ")");
          }
        }
        return new Node(keys, line);
      }
      case START_ARRAY -> {
        List<Node> elements = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          elements.add(node(file, p, t));
        }
        return new Node(elements, line);
      }
      case VALUE_STRING -> {
        return new Node(p.getText(), line);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new Node(p.getNumberValue(), line);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node(token == JsonToken.VALUE_TRUE, line);
      }
      case VALUE_NULL -> {
        return new Node(null, line);
      }
      default -> {
        return new Node(p.getText(), line);
      }
    }
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
