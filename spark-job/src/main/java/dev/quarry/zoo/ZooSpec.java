package dev.quarry.zoo;

import java.util.List;

/**
 * A zoo spec ({@code conf/zoo-example.yaml} documents it) as {@link ZooSpecFile} reads it: where the
 * outputs go, and every model x mode to convert, in spec order.
 */
public record ZooSpec(String outputRoot, List<ZooJob> jobs) {}
