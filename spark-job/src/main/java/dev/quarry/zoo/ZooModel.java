package dev.quarry.zoo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One model of a zoo spec: a name (its outputs go to {@code <output_root>/<name>/<mode>}), its input
 * (model directory or .safetensors file, local path or Hadoop URI), and per-model overrides of the
 * spec's defaults; null means "as the defaults say".
 */
public record ZooModel(
    @JsonProperty("name") String name,
    @JsonProperty("input") String input,
    @JsonProperty("modes") List<String> modes,
    @JsonProperty("blocksize") Integer blocksize,
    @JsonProperty("all_linear") Boolean allLinear,
    @JsonProperty("skip_modules") List<String> skipModules,
    @JsonProperty("include_modules") List<String> includeModules,
    @JsonProperty("max_shard_size") String maxShardSize) {

  /** These settings where set, else {@code defaults}' (whose name, input and modes are ignored). */
  ZooModel over(ZooModel defaults) {
    return new ZooModel(name, input, modes != null ? modes : defaults.modes,
        blocksize != null ? blocksize : defaults.blocksize, allLinear != null ? allLinear : defaults.allLinear,
        skipModules != null ? skipModules : defaults.skipModules,
        includeModules != null ? includeModules : defaults.includeModules,
        maxShardSize != null ? maxShardSize : defaults.maxShardSize);
  }
}
