package dev.quarry.convert;

import java.io.Serializable;
import java.util.List;

/**
 * A shard streamed by one task: the file it wrote (an attempt's, or the final name on an object
 * store), the shard's final path, and what it wrote of the units' pieces.
 */
record WrittenShard(String path, String target, List<WrittenPiece> pieces) implements Serializable {
  private static final long serialVersionUID = 3L;

  WrittenShard {
    pieces = List.copyOf(pieces);
  }
}
