package dev.quarry.convert.write;

import java.io.Serializable;
import java.util.List;

/**
 * An output shard as the driver creates it before any block is written: its final path (URI
 * string), its length, and the bytes it holds that no block computes (the safetensors header,
 * codebooks, quant_state texts), at their positions.
 */
public record ShardFile(String path, long length, List<PlacedPiece> fixed) implements Serializable {
  private static final long serialVersionUID = 1L;

  public ShardFile {
    fixed = List.copyOf(fixed);
  }
}
