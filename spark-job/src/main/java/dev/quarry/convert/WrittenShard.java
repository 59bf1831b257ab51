package dev.quarry.convert;

import java.io.Serializable;
import java.util.List;

/**
 * A shard streamed by one task: the file it wrote (an attempt's, or the final name on an object
 * store) and what it wrote of the units' pieces.
 */
record WrittenShard(String path, List<WrittenPiece> pieces) implements Serializable {
  private static final long serialVersionUID = 2L;

  WrittenShard {
    pieces = List.copyOf(pieces);
  }
}
