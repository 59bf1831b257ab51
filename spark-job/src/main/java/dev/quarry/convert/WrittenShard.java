package dev.quarry.convert;

import java.io.Serializable;
import java.util.Map;

/**
 * A shard file an executor wrote (URI string, not yet committed) and the CRC32C of each of its
 * tensors, computed from the bytes as they were written, for the manifest.
 */
public record WrittenShard(String path, Map<String, Long> crc32c) implements Serializable {
  private static final long serialVersionUID = 1L;

  public WrittenShard {
    crc32c = Map.copyOf(crc32c);
  }
}
