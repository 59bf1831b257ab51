package dev.quarry.convert.write;

import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.store.OutputStore;
import java.util.List;
import java.util.function.Consumer;

/**
 * One output of a run as the quantize-and-write pass ({@link WritePass}) sees it: where its bytes go
 * and how its shards are recorded complete, and where the pass leaves what it wrote or why the output
 * failed. The run's mode conversion is one; the pass does not depend on how the run holds its modes.
 */
public interface WriteTarget {
  /** The index of this output in the run: executors report by it ({@link WriteOutcome}). */
  int output();

  ConvertOptions options();

  /** The plan after the scan (its blocks and tensors). */
  ConversionPlan plan();

  /** Where this run writes the output's bytes. */
  ShardPlacement placement();

  OutputStore store();

  /** The conversion's identity, as each shard's completion record holds it ({@link ShardCompletions}). */
  String identity();

  Consumer<String> log();

  /** The pieces written: the pass adds those it wrote. */
  List<WrittenPiece> written();

  /** Fails this output (the first failure counts); the run's other outputs go on. */
  void fail(Exception e);
}
