package dev.quarry.convert;

import dev.quarry.ByteUnits;
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
        "converted %d tensors (%d quantized, %d copied) in %d blocks into %d shard(s): %s -> %s (%d -> %d bytes), "
            + "%.1f s (quantize stage %.1f s), %s of input",
        tensors, quantized, tensors - quantized, blocks, shards, ByteUnits.size(bytesIn), ByteUnits.size(bytesOut),
        bytesIn, bytesOut, seconds, quantizeSeconds, ByteUnits.rate(bytesIn, seconds));
  }
}
