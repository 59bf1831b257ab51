package dev.quarry.convert.read;

import dev.quarry.safetensors.TensorEntry;
import java.util.List;

/**
 * One input file as the driver knows it: its path (URI string), where data starts, its tensors. For a
 * PyTorch checkpoint, data starts at its first storage byte; the zip headers and pickle before it
 * play the part of a safetensors header.
 */
public record InputShard(String path, long dataStart, List<TensorEntry> tensors) {
  public InputShard {
    tensors = List.copyOf(tensors);
  }
}
