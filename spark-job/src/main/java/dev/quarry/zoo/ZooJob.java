package dev.quarry.zoo;

import dev.quarry.convert.plan.ConvertOptions;

/** One model in one mode: a conversion of the zoo. */
public record ZooJob(String model, ConvertOptions options) {}
