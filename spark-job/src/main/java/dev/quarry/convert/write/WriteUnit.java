package dev.quarry.convert.write;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.kernels.ExactSum;
import dev.quarry.spark.ProgressItem;
import java.io.Serializable;
import java.util.List;

/**
 * One unit of the quantize-and-write pass, small and self-contained: a block of work and the
 * places of its sections in the shards, or ({@code block} null) one copied tensor's input range
 * and its place.
 *
 * @param offset      the block's tensor's double-quant offset (unused otherwise)
 * @param scannedSum  the exact absmax sum the scan pass computed for the block (double quant), which
 *                    the block's codes must reproduce: a different sum means the input changed
 * @param scanned     the scan pass has checked the block for NaN and ±inf already
 */
public record WriteUnit(int tensorId, BlockTask block, List<PlacedPiece> pieces, float offset, ExactSum scannedSum,
    boolean scanned) implements Serializable, ProgressItem {
  private static final long serialVersionUID = 1L;

  public WriteUnit {
    pieces = List.copyOf(pieces);
  }

  static WriteUnit copy(int tensorId, PlacedPiece piece) {
    return new WriteUnit(tensorId, null, List.of(piece), 0, null, false);
  }

  @Override
  public long inputBytes() {
    return block != null ? block.inputBytes() : pieces.get(0).piece().length();
  }
}
