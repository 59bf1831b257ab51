package dev.quarry.convert;

import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.fs.FileSystems;
import dev.quarry.manifest.ConversionIdentity;
import java.io.IOException;
import org.apache.hadoop.fs.Path;

/**
 * A conversion whose input and output path were read and validated on the driver, before any
 * Spark work: the model's headers, the plan, the identity, the output directory's verdict.
 */
public final class PreparedConversion {
  final ConvertOptions options;
  final OutputStore store;
  final InputModel model;
  final ConversionPlan plan;
  final ConversionIdentity identity;
  private final boolean alreadyDone;

  PreparedConversion(ConvertOptions options, OutputStore store, InputModel model, ConversionPlan plan,
      ConversionIdentity identity, boolean alreadyDone) {
    this.options = options;
    this.store = store;
    this.model = model;
    this.plan = plan;
    this.identity = identity;
    this.alreadyDone = alreadyDone;
  }

  /**
   * Fails when an input file changed (length or modification time) since the conversion was
   * prepared: blocks read before and after the change would not belong to one model. (Under double
   * quantization each block's absmax is also checked between the passes, {@code write.BlockOutput}.)
   */
  void requireInputUnchanged() throws IOException {
    Path input = new Path(options.input());
    if (!ConversionIdentity.of(FileSystems.forPath(input), input, model, options).equals(identity)) {
      throw new IOException(options.input() + ": the input changed while it was being converted (a file's length or "
          + "modification time is not what it was when the conversion started); convert it again once it no longer changes");
    }
  }

  /** The output already holds this conversion, complete: there is nothing to do. */
  public boolean alreadyDone() {
    return alreadyDone;
  }
}
