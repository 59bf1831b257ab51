package dev.quarry.convert;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.quantize.QuantMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The conversions of one input to several modes, prepared on the driver for one read of the input
 * ({@link ConversionJob#runAll}). A mode that cannot be prepared (its output holds another
 * conversion, the mode cannot take a tensor's dtype) is failed here and the others go on.
 */
public final class PreparedModes {
  private final List<ConvertOptions> options;
  /** Null where preparing failed. */
  private final List<PreparedConversion> prepared;
  private final List<Exception> failures;

  private PreparedModes(List<ConvertOptions> options, List<PreparedConversion> prepared, List<Exception> failures) {
    this.options = options;
    this.prepared = prepared;
    this.failures = failures;
  }

  /** @param options one conversion per mode, of the same input with the same settings but the mode and the output */
  public static PreparedModes prepare(List<ConvertOptions> options) {
    List<QuantMode> modes = options.stream().map(ConvertOptions::mode).toList();
    List<PreparedConversion> prepared = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (ConvertOptions o : options) {
      try {
        prepared.add(ConversionJob.prepare(o, modes));
        failures.add(null);
      } catch (IOException | RuntimeException e) {
        prepared.add(null);
        failures.add(e);
      }
    }
    return new PreparedModes(List.copyOf(options), prepared, failures);
  }

  /** The failure every mode met preparing (bad input: the run is an error), or null when one or more modes are prepared. */
  public Exception commonFailure() {
    return prepared.stream().allMatch(p -> p == null) && !failures.isEmpty() ? failures.get(0) : null;
  }

  /** Whether a prepared mode's output is not complete yet (else no Spark is needed). */
  public boolean anythingToDo() {
    return prepared.stream().anyMatch(p -> p != null && !p.alreadyDone());
  }

  /**
   * Runs the prepared modes in one read of the input.
   *
   * @param sc Spark, or null when there is {@linkplain #anythingToDo nothing to do}
   * @return one outcome per mode, in the order they were given
   */
  public List<ModeOutcome> run(JavaSparkContext sc, Consumer<String> log) {
    List<PreparedConversion> runnable = prepared.stream().filter(p -> p != null).toList();
    List<ModeOutcome> ran = sc == null || runnable.isEmpty() ? List.of() : ConversionJob.runAll(sc, runnable, log);
    List<ModeOutcome> outcomes = new ArrayList<>();
    for (int i = 0, r = 0; i < options.size(); i++) {
      if (prepared.get(i) == null) {
        outcomes.add(new ModeOutcome(options.get(i), null, failures.get(i)));
      } else {
        outcomes.add(sc == null ? new ModeOutcome(options.get(i), ConvertSummary.nothingToDo(), null) : ran.get(r++));
      }
    }
    return outcomes;
  }
}
