package dev.quarry.convert;

import dev.quarry.kernels.ExactSum;
import dev.quarry.quality.ErrorStats;
import java.io.Serializable;

/**
 * What the task of one block left in its staging file: the {@code primary} bytes (packed 4-bit
 * codes, int8 codes or float16 values) followed by the {@code secondary} bytes (float32 absmax or
 * SCB; none for a cast). Under double quantization, the exact sum of the block's absmax. The
 * quantization error of the block's elements ({@code errors}; null for the double-quant pass).
 */
public record BlockResult(int blockId, String path, long primaryBytes, long secondaryBytes, ExactSum absmaxSum,
    ErrorStats errors)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public Piece primary() {
    return Piece.ofFile(path, 0, primaryBytes);
  }

  public Piece secondary() {
    return Piece.ofFile(path, primaryBytes, secondaryBytes);
  }
}
