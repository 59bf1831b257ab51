package dev.quarry.convert.scan;

import dev.quarry.kernels.ExactSum;
import java.io.Serializable;

/**
 * What the scan pass found in one block: the exact sum of its absmax (double quantization; null
 * otherwise) and, when NaN or ±inf were found and allowed, what was found ({@code nonFinite}).
 */
public record ScanResult(int blockId, ExactSum absmaxSum, String nonFinite) implements Serializable {
  private static final long serialVersionUID = 1L;
}
