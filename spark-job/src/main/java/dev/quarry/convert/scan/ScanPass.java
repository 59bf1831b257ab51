package dev.quarry.convert.scan;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.InputLocality;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.spark.LocalizedTasks;
import dev.quarry.spark.PassPartitions;
import dev.quarry.spark.ProgressReporter;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The scan pass on Spark ({@link BlockScan} on the executors), where the layout depends on the data:
 * the double-quantized tensors' blocks (their absmax sums fix the offsets in the quant_state texts),
 * and with --allow-non-finite every converted block (a weight holding NaN or ±inf is kept
 * unquantized). Other conversions need no scan: their layout follows from the headers.
 */
public final class ScanPass {
  private ScanPass() {}

  /** The scan results by block id; empty when the conversion needs no scan. */
  public static Map<Integer, ScanResult> run(JavaSparkContext sc, ConversionPlan plan, ConvertOptions o, Consumer<String> log)
      throws IOException {
    boolean allowNonFinite = o.allowNonFinite();
    List<BlockTask> blocks = blocksToScan(plan, o);
    Map<Integer, ScanResult> results = new HashMap<>();
    if (blocks.isEmpty()) {
      return results;
    }
    long bytes = blocks.stream().mapToLong(BlockTask::inputBytes).sum();
    int partitions = o.partitions() > 0 ? o.partitions() : PassPartitions.of(blocks.size(), bytes, sc.defaultParallelism());
    InputLocality locality = InputLocality.of(blocks);
    try (ProgressReporter progress = new ProgressReporter(sc, "scan", plan.tensors().size(), blocks, partitions, log,
        ProgressReporter.INTERVAL_MILLIS)) {
      for (ScanResult r : SparkJobs.collect(LocalizedTasks.rdd(sc, blocks, partitions, locality::bytesByHost)
          .map(b -> BlockScan.scan(b, allowNonFinite)))) {
        results.put(r.blockId(), r);
      }
    }
    return results;
  }

  /** The blocks a conversion scans: every one with --allow-non-finite, else the double-quantized ones. */
  public static List<BlockTask> blocksToScan(ConversionPlan plan, ConvertOptions o) {
    return plan.blocks().stream()
        .filter(b -> o.allowNonFinite() || (b.action() == TensorAction.QUANTIZE && b.mode().doubleQuant())).toList();
  }
}
