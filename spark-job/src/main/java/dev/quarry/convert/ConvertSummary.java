package dev.quarry.convert;

import java.util.Locale;

/**
 * What a conversion did, for the log and the CLI. {@code quantizeSeconds} is the wall time of the
 * executor passes (scan, quantize and write), {@code seconds} the whole conversion.
 */
public record ConvertSummary(boolean alreadyComplete, int tensors, int quantized, int blocks, int shards,
    long bytesIn, long bytesOut, double quantizeSeconds, double seconds) {

  public static ConvertSummary nothingToDo() {
    return new ConvertSummary(true, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  public String describe() {
    if (alreadyComplete) {
      return "output already complete (_SUCCESS present): nothing to do";
    }
    return String.format(Locale.ROOT,
        "converted %d tensors (%d quantized, %d copied) in %d blocks into %d shard(s): %d -> %d bytes, "
            + "%.1f s (quantize stage %.1f s), %.3f GB/s of input",
        tensors, quantized, tensors - quantized, blocks, shards, bytesIn, bytesOut, seconds, quantizeSeconds,
        seconds > 0 ? bytesIn / seconds / 1e9 : 0);
  }
}
