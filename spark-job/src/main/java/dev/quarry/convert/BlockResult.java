package dev.quarry.convert;

import dev.quarry.kernels.ExactSum;
import dev.quarry.quality.ErrorStats;
import java.io.Serializable;

/**
 * What the task of one block computed. Its staging file holds its {@code primary} bytes (packed
 * 4-bit codes, int8 codes or float16 values; three quarters or more of the output) unless
 * {@link CodePlacement} chose to have the shard writer compute them again from the input and check
 * them against {@code primaryCrc}, the CRC32C of the bytes this task computed; then the secondary
 * bytes (float32 absmax or SCB; none for a cast). A staged result has {@code primaryCrc}
 * {@link #STAGED}, as has every result of the double-quant pass (absmax codes, then nested absmax). Under double quantization, the
 * exact sum of the block's absmax. The quantization error of the block's elements ({@code errors};
 * null for the double-quant pass). When NaN or ±inf were found and allowed, no file:
 * {@code nonFinite} says what was found.
 */
public record BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes, ExactSum absmaxSum,
    ErrorStats errors, String nonFinite, long primaryCrc) implements Serializable {
  private static final long serialVersionUID = 2L;
  /** The {@code primaryCrc} of a result whose primary bytes are in its staging file (no CRC32C is negative). */
  public static final long STAGED = -1;

  /** A quantized block and its error; {@code primaryCrc} {@link #STAGED} or the CRC32C of its primary bytes. */
  public BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes, ExactSum absmaxSum,
      ErrorStats errors, long primaryCrc) {
    this(blockId, path, primaryBytes, secondaryBytes, absmaxSum, errors, null, primaryCrc);
  }

  /** A block of the double-quant pass: both parts staged, no error of its own. */
  public BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes) {
    this(blockId, path, primaryBytes, secondaryBytes, null, null, null, STAGED);
  }

  /** A block holding NaN or ±inf (allowed): its tensor is kept unquantized. */
  static BlockResult nonFinite(int blockId, String problem) {
    return new BlockResult(blockId, null, 0, 0, null, null, problem, STAGED);
  }

  /** The same result, its file at {@code movedTo}. */
  public BlockResult at(String movedTo) {
    return new BlockResult(blockId, movedTo, primaryBytes, secondaryBytes, absmaxSum, errors, nonFinite, primaryCrc);
  }

  public boolean primaryStaged() {
    return primaryCrc == STAGED;
  }

  /** The length of the staging file. */
  public long stagedBytes() {
    return (primaryStaged() ? primaryBytes : 0) + secondaryBytes;
  }

  /** Where the primary bytes come from: the staging file, or {@code task} computed again. */
  public Piece primary(BlockTask task) {
    return primaryStaged() ? Piece.ofFile(path, 0, primaryBytes) : Piece.ofBlock(task, primaryBytes, primaryCrc);
  }

  public Piece secondary() {
    return Piece.ofFile(path, stagedBytes() - secondaryBytes, secondaryBytes);
  }
}
