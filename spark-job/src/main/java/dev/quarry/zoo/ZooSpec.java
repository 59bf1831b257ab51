package dev.quarry.zoo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A zoo spec ({@code conf/zoo-example.yaml} documents it): where outputs go, the default modes and
 * settings, and the models. Read by {@link ZooSpecFile}.
 */
public record ZooSpec(
    @JsonProperty("output_root") String outputRoot,
    @JsonProperty("modes") List<String> modes,
    @JsonProperty("defaults") ZooModel defaults,
    @JsonProperty("models") List<ZooModel> models) {}
