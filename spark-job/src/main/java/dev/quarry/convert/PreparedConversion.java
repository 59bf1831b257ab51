package dev.quarry.convert;

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

  /** The output already holds this conversion, complete: there is nothing to do. */
  public boolean alreadyDone() {
    return alreadyDone;
  }
}
