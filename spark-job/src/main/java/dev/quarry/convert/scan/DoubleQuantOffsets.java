package dev.quarry.convert.scan;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.kernels.ExactSum;
import java.util.Map;

/**
 * The offsets of double quantization, from the scan: the quant_state text of each double-quantized
 * weight holds its offset, the mean of its absmax, which fixes the text's length and so the place of
 * every byte after it.
 */
public final class DoubleQuantOffsets {
  private DoubleQuantOffsets() {}

  /** One offset per double-quantized tensor: the merged exact sums of its blocks' absmax over their count. */
  public static float[] of(ConversionPlan plan, Map<Integer, ScanResult> scans) {
    int tensors = plan.tensors().size();
    ExactSum[] sums = new ExactSum[tensors];
    long[] counts = new long[tensors];
    for (BlockTask b : plan.blocks()) {
      ScanResult scan = scans.get(b.blockId());
      if (scan != null && scan.absmaxSum() != null) {
        if (sums[b.tensorId()] == null) {
          sums[b.tensorId()] = new ExactSum();
        }
        sums[b.tensorId()].merge(scan.absmaxSum());
        counts[b.tensorId()] += (b.elementCount() + b.blocksize() - 1) / b.blocksize();
      }
    }
    float[] offsets = new float[tensors];
    for (int t = 0; t < tensors; t++) {
      if (sums[t] != null) {
        offsets[t] = sums[t].mean(counts[t]);
      }
    }
    return offsets;
  }
}
