package dev.quarry.convert;

import dev.quarry.kernels.ExactSum;
import dev.quarry.quality.ErrorStats;
import java.io.Serializable;

/**
 * What the task of one block left in its staging file: the {@code primary} bytes (packed 4-bit
 * codes, int8 codes or float16 values) followed by the {@code secondary} bytes (float32 absmax or
 * SCB; none for a cast). Under double quantization, the exact sum of the block's absmax. The
 * quantization error of the block's elements ({@code errors}; null for the double-quant pass). When
 * NaN or ±inf were found and allowed, no file: {@code nonFinite} says what was found.
 */
public record BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes, ExactSum absmaxSum,
    ErrorStats errors, String nonFinite) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A quantized block and its error. */
  public BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes, ExactSum absmaxSum,
      ErrorStats errors) {
    this(blockId, path, primaryBytes, secondaryBytes, absmaxSum, errors, null);
  }

  /** A block of the double-quant pass (no error of its own). */
  public BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes, ExactSum absmaxSum) {
    this(blockId, path, primaryBytes, secondaryBytes, absmaxSum, null, null);
  }

  /** A block holding NaN or ±inf (allowed): its tensor is kept unquantized. */
  static BlockResult nonFinite(int blockId, String problem) {
    return new BlockResult(blockId, null, 0, 0, null, null, problem);
  }

  /** The same result, its file at {@code movedTo}. */
  public BlockResult at(String movedTo) {
    return new BlockResult(blockId, movedTo, primaryBytes, secondaryBytes, absmaxSum, errors, nonFinite);
  }

  public Piece primary() {
    return Piece.ofFile(path, 0, primaryBytes);
  }

  public Piece secondary() {
    return Piece.ofFile(path, primaryBytes, secondaryBytes);
  }
}
