package dev.quarry.convert;

import dev.quarry.kernels.NestedAbsmaxQuantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sizes the executors' results will have, from the plan alone (no data read, no files): what a
 * dry run lays out. Mirrors {@link BlockProcessor} and {@link NestedProcessor}: packed codes and
 * float32 absmax (4-bit), int8 codes and SCB, float16 values; absmax codes and nested absmax.
 */
public final class PlannedResults {
  private PlannedResults() {}

  /** First-pass results, indexed by block id. */
  public static List<BlockResult> blocks(ConversionPlan plan) {
    List<BlockResult> out = new ArrayList<>();
    for (BlockTask b : plan.blocks()) {
      long n = b.elementCount();
      if (b.action() == TensorAction.CAST) {
        out.add(new BlockResult(b.blockId(), null, n * 2, 0, null, null, 0));
      } else if (b.mode().isFourBit()) {
        out.add(new BlockResult(b.blockId(), null, (n + 1) / 2, ceilDiv(n, b.blocksize()) * 4, null, null, 0));
      } else {
        out.add(new BlockResult(b.blockId(), null, n, n / b.rowLength() * 4, null, null, 0));
      }
    }
    return out;
  }

  /** Double-quant results, indexed by block id (all null without double quantization). */
  public static List<BlockResult> nested(ConversionPlan plan, List<BlockResult> blocks) {
    List<BlockResult> out = new ArrayList<>(Arrays.asList(new BlockResult[blocks.size()]));
    for (BlockTask b : plan.blocks()) {
      if (b.action() == TensorAction.QUANTIZE && b.mode().doubleQuant()) {
        long count = blocks.get(b.blockId()).secondaryBytes() / 4;
        out.set(b.blockId(), new BlockResult(b.blockId(), null, count,
            ceilDiv(count, NestedAbsmaxQuantizer.NESTED_BLOCKSIZE) * 4));
      }
    }
    return out;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
