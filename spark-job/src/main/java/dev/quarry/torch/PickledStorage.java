package dev.quarry.torch;

import dev.quarry.safetensors.Dtype;

/**
 * A storage a pickle refers to by persistent id: record {@code data/<key>} of the zip holds its
 * {@code numel} elements of {@code dtype}.
 */
record PickledStorage(String key, Dtype dtype, long numel) {}
