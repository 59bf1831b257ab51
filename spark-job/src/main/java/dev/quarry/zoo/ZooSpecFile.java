package dev.quarry.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quarry.safetensors.ShardSize;
import dev.quarry.convert.ConvertOptions;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Reads a zoo spec (YAML) and turns it into its jobs, model by model and mode by mode. Everything is
 * checked before anything runs: unknown keys (a typo is an error, not a silently ignored setting),
 * duplicate or unsafe model names, unknown modes, bad block sizes.
 */
public final class ZooSpecFile {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final ZooModel NO_DEFAULTS = new ZooModel(null, null, null, 64, false, List.of(), List.of(), "5GB");

  private ZooSpecFile() {}

  public static ZooSpec read(InputStream in) throws IOException {
    return new ObjectMapper(new YAMLFactory()).readValue(in, ZooSpec.class);
  }

  /** Every model x mode of the spec, in spec order; throws IllegalArgumentException naming what is wrong. */
  public static List<ZooJob> jobs(ZooSpec spec) {
    if (spec.outputRoot() == null || spec.models() == null || spec.models().isEmpty()) {
      throw new IllegalArgumentException("a zoo spec needs output_root and at least one model");
    }
    ZooModel defaults = spec.defaults() == null ? NO_DEFAULTS : spec.defaults().over(NO_DEFAULTS);
    if (spec.modes() != null) {
      defaults = new ZooModel(null, null, spec.modes(), null, null, null, null, null).over(defaults);
    }
    List<ZooJob> jobs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ZooModel given : spec.models()) {
      ZooModel m = given.over(defaults);
      if (m.name() == null || !NAME.matcher(m.name()).matches() || !names.add(m.name())) {
        throw new IllegalArgumentException("model name '" + m.name() + "' is missing, repeated or not a plain file name");
      }
      if (m.input() == null || m.modes() == null || m.modes().isEmpty()) {
        throw new IllegalArgumentException("model '" + m.name() + "' needs an input and at least one mode");
      }
      ModuleRules rules = new ModuleRules(m.allLinear(), m.skipModules(), m.includeModules(), null);
      long maxShard = ShardSize.parse(m.maxShardSize());
      for (String mode : m.modes()) {
        String output = new Path(new Path(spec.outputRoot(), m.name()), mode).toString();
        jobs.add(new ZooJob(m.name(), new ConvertOptions(m.input(), output, QuantMode.fromCliName(mode), m.blocksize(),
            rules, ConvertOptions.DEFAULT_BLOCK_BYTES, maxShard, 0)));
      }
    }
    return jobs;
  }
}
