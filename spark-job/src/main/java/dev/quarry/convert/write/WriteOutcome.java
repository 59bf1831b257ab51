package dev.quarry.convert.write;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a task of the quantize-and-write pass reports for one output of the run: a piece it wrote, or
 * why that output failed (its kernels refused the input, e.g. a float16 overflow in int8, or a write
 * to it failed), so that the other modes of the run go on and commit.
 *
 * @param output the index of the mode's output in the run
 */
record WriteOutcome(int output, WrittenPiece piece, IOException failure) implements Serializable {
  private static final long serialVersionUID = 1L;

  static WriteOutcome written(int output, WrittenPiece piece) {
    return new WriteOutcome(output, piece, null);
  }

  static WriteOutcome failed(int output, IOException failure) {
    return new WriteOutcome(output, null, failure);
  }

  /** The pieces among {@code outcomes} that were written, by output. */
  static Map<Integer, List<WrittenPiece>> writtenByOutput(List<WriteOutcome> outcomes) {
    Map<Integer, List<WrittenPiece>> byOutput = new HashMap<>();
    for (WriteOutcome w : outcomes) {
      if (w.piece() != null) {
        byOutput.computeIfAbsent(w.output(), o -> new ArrayList<>()).add(w.piece());
      }
    }
    return byOutput;
  }
}
