package dev.quarry.convert.write;

import java.io.Serializable;
import java.util.List;

/**
 * A part as a task put it: the part handle its store returned (the driver hands it back at
 * {@code complete}), the ranges of pieces it wrote, and the executor and task attempt that put it.
 */
record PutPart(String shard, int number, long length, byte[] handle, List<WrittenRange> ranges, String executor,
    long task) implements Serializable {
  private static final long serialVersionUID = 1L;

  PutPart {
    ranges = List.copyOf(ranges);
  }
}
