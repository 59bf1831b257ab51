package dev.quarry.convert;

import dev.quarry.safetensors.TensorEntry;
import java.util.List;

/** One input safetensors file as the driver knows it: its path (URI string), where data starts, its tensors. */
public record InputShard(String path, long dataStart, List<TensorEntry> tensors) {
  public InputShard {
    tensors = List.copyOf(tensors);
  }
}
