package dev.quarry.convert;

import dev.quarry.convert.commit.ExistingOutput;
import dev.quarry.convert.commit.KeptShards;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.scan.ScanPass;
import dev.quarry.convert.scan.ScanResult;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.write.WritePass;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.PathOverlap;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.quantize.QuantMode;
import dev.quarry.spark.RunningTasks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A whole conversion on Spark, of one input to one mode or to several in one read: read and plan on
 * the driver ({@link #prepare}), then the phases of {@link #runAll}: scan, lay out, quantize and
 * write, commit. {@link #run} is the run of one mode.
 */
public final class ConversionJob {
  private ConversionJob() {}

  public static ConvertSummary run(JavaSparkContext sc, ConvertOptions o, Consumer<String> log) throws IOException {
    return run(sc, prepare(o), log);
  }

  /**
   * Reads and validates input and output path on the driver, without Spark: every bad input fails
   * here except the values only executors see (NaN, float16 overflow); the output is not touched
   * unless --overwrite replaces a different conversion's output with this valid one.
   */
  public static PreparedConversion prepare(ConvertOptions o) throws IOException {
    return prepare(o, List.of(o.mode()));
  }

  /**
   * As {@link #prepare(ConvertOptions)}, for one mode of a run that converts the input to all of
   * {@code runModes} in one read: the blocks are cut so that each suits every one of them
   * ({@link Planner#plan(InputModel, ConvertOptions, List)}), which leaves this mode's bytes as they are.
   */
  public static PreparedConversion prepare(ConvertOptions o, List<QuantMode> runModes) throws IOException {
    Path input = new Path(o.input());
    FileSystem inFs = FileSystems.forPath(input);
    OutputStore store = new OutputStore(new Path(o.output()));
    PathOverlap.refuse(inFs, input, store.fs(), store.dir());
    InputModel model = ModelReader.read(inFs, input);
    ConversionPlan plan = Planner.plan(model, o, runModes);
    ConversionIdentity identity = ConversionIdentity.of(inFs, input, model, o);
    return new PreparedConversion(o, store, model, plan, identity, ExistingOutput.alreadyDone(store, identity, o.overwrite()));
  }

  /** One conversion: {@link #runAll} of one mode; its failure is thrown. */
  public static ConvertSummary run(JavaSparkContext sc, PreparedConversion c, Consumer<String> log) throws IOException {
    ModeOutcome outcome = runAll(sc, List.of(c), log).get(0);
    if (outcome.failure() instanceof IOException e) {
      throw e;
    }
    if (outcome.failure() instanceof RuntimeException e) {
      throw e;
    }
    return outcome.summary();
  }

  /**
   * Converts one input to several modes (their conversions prepared with the same run modes) in one
   * read of its blocks. The phases: scan (only where the layout depends on the data: double
   * quantization's offsets, --allow-non-finite; once for every mode; a rerun scans again, reading
   * only), lay out every output byte, keep the shards an interrupted run of each mode completed
   * ({@link KeptShards}), quantize and write each other byte once where it goes (on outputs that take
   * positioned writes, each input block read once for all modes), then
   * commit each output (metadata, manifest, everything forced to disk, {@code _SUCCESS} last). A mode
   * that fails leaves no output and does not stop the others; what fails the input itself (NaN, a
   * read error) fails them all. Outputs already complete are left alone.
   *
   * @return one outcome per conversion, in their order
   */
  public static List<ModeOutcome> runAll(JavaSparkContext sc, List<PreparedConversion> conversions,
      Consumer<String> log) {
    long start = System.nanoTime();
    List<ModeConversion> modes = toRun(conversions, log);
    PhaseClock phases = new PhaseClock(log);
    each(modes, ModeConversion::start);
    Map<Integer, ScanResult> scans = shared(sc, modes, Map.of(), () -> scan(sc, live(modes), log));
    if (!scans.isEmpty()) {
      phases.ended("scan");
    }
    each(modes, m -> m.layOut(scans));
    each(modes, m -> m.keepInterruptedShards(sc));
    if (modes.stream().anyMatch(m -> m.resumed)) {
      phases.ended("check the interrupted run's shards");
    }
    shared(sc, modes, null, () -> {
      WritePass.run(sc, List.copyOf(live(modes)), log);
      return null;
    });
    phases.ended("quantize and write");
    double quantizeSeconds = (System.nanoTime() - start) / 1e9;
    each(modes, ModeConversion::writeMetadata);
    phases.ended("metadata and manifest");
    each(modes, ModeConversion::commit);
    phases.ended("commit");
    abandonFailed(sc, modes);
    return outcomes(conversions, modes, quantizeSeconds, (System.nanoTime() - start) / 1e9);
  }

  /** The conversions whose output is not complete yet, each logging with its mode's name when there are several. */
  private static List<ModeConversion> toRun(List<PreparedConversion> conversions, Consumer<String> log) {
    List<ModeConversion> modes = new ArrayList<>();
    for (int i = 0; i < conversions.size(); i++) {
      PreparedConversion c = conversions.get(i);
      String mode = c.options.mode().cliName();
      if (!c.alreadyDone()) {
        modes.add(new ModeConversion(i, c, conversions.size() == 1 ? log : line -> log.accept(mode + ": " + line)));
      }
    }
    return modes;
  }

  /**
   * The one scan of the run, on the plan of a double-quantized mode where there is one: its blocks are
   * every mode's blocks, and only its absmax sums are needed.
   */
  private static Map<Integer, ScanResult> scan(JavaSparkContext sc, List<ModeConversion> live, Consumer<String> log)
      throws IOException {
    ModeConversion scanned = live.stream().filter(m -> m.mode().doubleQuant()).findFirst().orElse(live.get(0));
    return ScanPass.run(sc, scanned.plan(), scanned.options(), log);
  }

  /** Removes the output of every failed mode, once the tasks a failed job left running have stopped writing. */
  private static void abandonFailed(JavaSparkContext sc, List<ModeConversion> modes) {
    if (modes.stream().anyMatch(ModeConversion::failed)) {
      RunningTasks.awaitNone(sc, RunningTasks.ABANDON_WAIT_MILLIS);
      modes.stream().filter(ModeConversion::failed).forEach(ModeConversion::abandon);
    }
  }

  /** One outcome per conversion, in their order: those already complete had nothing to do. */
  private static List<ModeOutcome> outcomes(List<PreparedConversion> conversions, List<ModeConversion> modes,
      double quantizeSeconds, double seconds) {
    List<ModeOutcome> outcomes = new ArrayList<>();
    for (PreparedConversion c : conversions) {
      outcomes.add(new ModeOutcome(c.options, ConvertSummary.nothingToDo(), null));
    }
    for (ModeConversion m : modes) {
      outcomes.set(m.output(), new ModeOutcome(m.options(), m.failed() ? null : m.summary(quantizeSeconds, seconds),
          m.failure()));
    }
    return outcomes;
  }

  /** A step of each mode's own. */
  private interface ModeStep {
    void run(ModeConversion m) throws IOException;
  }

  /** A step every mode shares. */
  private interface SharedStep<T> {
    T run() throws IOException;
  }

  /** Runs the step for every mode not failed yet; a mode whose step fails is failed, the others go on. */
  private static void each(List<ModeConversion> modes, ModeStep step) {
    for (ModeConversion m : live(modes)) {
      try {
        step.run(m);
      } catch (IOException | RuntimeException e) {
        m.fail(e);
      }
    }
  }

  /**
   * Runs a step of all modes at once (unless none is left); its failure fails every mode, once the
   * tasks it left running have stopped writing.
   *
   * @return the step's result, or {@code otherwise} when it did not run or failed
   */
  private static <T> T shared(JavaSparkContext sc, List<ModeConversion> modes, T otherwise, SharedStep<T> step) {
    if (live(modes).isEmpty()) {
      return otherwise;
    }
    try {
      return step.run();
    } catch (IOException | RuntimeException e) {
      RunningTasks.awaitNone(sc, RunningTasks.ABANDON_WAIT_MILLIS);
      live(modes).forEach(m -> m.fail(e));
      return otherwise;
    }
  }

  private static List<ModeConversion> live(List<ModeConversion> modes) {
    return modes.stream().filter(m -> !m.failed()).toList();
  }
}
