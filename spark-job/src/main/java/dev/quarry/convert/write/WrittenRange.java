package dev.quarry.convert.write;

import dev.quarry.convert.plan.Piece;
import dev.quarry.quality.ErrorStats;
import java.io.Serializable;

/**
 * What one part wrote of a piece that is not inline: the range {@code [from, from + length)} of the
 * piece's bytes, their CRC32C, and (only with the range at the start of a block's codes, so that
 * each block's error is counted once) the block's quantization error.
 */
record WrittenRange(Piece piece, long from, long length, long crc32c, ErrorStats errors) implements Serializable {
  private static final long serialVersionUID = 1L;
}
