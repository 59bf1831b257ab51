package dev.quarry.convert;

import dev.quarry.convert.commit.KeptShards;
import dev.quarry.convert.commit.OutputMetadata;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.scan.DoubleQuantOffsets;
import dev.quarry.convert.scan.NonFiniteTensors;
import dev.quarry.convert.scan.ScanResult;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.write.ShardPlacement;
import dev.quarry.convert.write.WriteTarget;
import dev.quarry.convert.write.WrittenPiece;
import dev.quarry.quantize.QuantMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One requested mode of a run ({@link ConversionJob#runAll}) as it goes through the phases: its
 * prepared conversion, what each phase made of it (its plan after the scan, its layout, where its
 * bytes go, what the executors wrote), and the error that failed it, after which the run leaves it
 * alone and removes its output. A run of one mode is a run of one of these.
 */
final class ModeConversion implements WriteTarget {
  private final int output;
  final PreparedConversion prepared;
  private final Consumer<String> log;
  private ConversionPlan plan;
  List<String> keptNonFinite = List.of();
  OutputLayout layout;
  /** Where this run writes its bytes: the layout's places but those of the shards kept from an interrupted run. */
  private ShardPlacement placement;
  /** Whether an interrupted run left completion records (whether or not a shard was kept). */
  boolean resumed;
  /** The pieces this run wrote. */
  private final List<WrittenPiece> written = new ArrayList<>();
  /** The pieces of the shards kept from an interrupted run, as its records give them. */
  private List<WrittenPiece> kept = List.of();
  private Exception failure;

  ModeConversion(int output, PreparedConversion prepared, Consumer<String> log) {
    this.output = output;
    this.prepared = prepared;
    this.log = log;
    this.plan = prepared.plan;
  }

  @Override
  public int output() {
    return output;
  }

  QuantMode mode() {
    return prepared.options.mode();
  }

  @Override
  public ConvertOptions options() {
    return prepared.options;
  }

  @Override
  public ConversionPlan plan() {
    return plan;
  }

  @Override
  public ShardPlacement placement() {
    return placement;
  }

  @Override
  public OutputStore store() {
    return prepared.store;
  }

  @Override
  public String identity() {
    return prepared.identity.json();
  }

  @Override
  public Consumer<String> log() {
    return log;
  }

  @Override
  public List<WrittenPiece> written() {
    return written;
  }

  boolean failed() {
    return failure != null;
  }

  Exception failure() {
    return failure;
  }

  /** The first failure counts: what follows from it says less. */
  @Override
  public void fail(Exception e) {
    if (failure == null) {
      failure = e;
    }
  }

  /** Logs what was planned and makes the output directory quarry's incomplete output ({@link OutputStore#prepare}). */
  void start() throws IOException {
    log.accept(String.format("planned %d tensors (%d to %s) in %d blocks from %d shard(s)", plan.tensors().size(),
        quantizedCount(plan), mode(), plan.blocks().size(), prepared.model.shards().size()));
    store().prepare();
  }

  /** Keeps a weight holding NaN or ±inf unquantized (--allow-non-finite), then fixes every output byte's place. */
  void layOut(Map<Integer, ScanResult> scans) throws IOException {
    Map<Integer, ScanResult> mine = ownScans(scans);
    NonFiniteTensors nonFinite = NonFiniteTensors.keepUnquantized(plan, mine, log);
    plan = nonFinite.plan();
    keptNonFinite = nonFinite.modules();
    float[] offsets = DoubleQuantOffsets.of(plan, mine);
    layout = OutputLayout.of(plan, options(), offsets);
    placement = ShardPlacement.of(layout, store().dir(), plan, offsets, mine::get);
  }

  /** Keeps the shards an interrupted run of this very conversion completed; the others are written. */
  void keepInterruptedShards(JavaSparkContext sc) throws IOException {
    KeptShards shards = KeptShards.find(sc, store(), prepared.identity.json(), placement, log);
    placement = shards.remaining();
    kept = shards.pieces();
    resumed = shards.resumed();
  }

  /**
   * The run's scan results as this mode reads them: the scan of a run with several modes is made on
   * the plan of a double-quantized one, whose absmax sums mean nothing to a mode without double
   * quantization (its blocks are the same, and checked for NaN and ±inf all the same).
   */
  private Map<Integer, ScanResult> ownScans(Map<Integer, ScanResult> scans) {
    if (mode().doubleQuant()) {
      return scans;
    }
    Map<Integer, ScanResult> mine = new HashMap<>();
    scans.forEach((id, s) -> mine.put(id, new ScanResult(id, null, s.nonFinite())));
    return mine;
  }

  /** Index, config.json, the model's other files and the manifest, from what the executors wrote. */
  void writeMetadata() throws IOException {
    List<WrittenPiece> all = new ArrayList<>(written);
    all.addAll(kept);
    OutputMetadata.write(store(), options(), prepared.model, prepared.identity, plan, layout, keptNonFinite, all);
  }

  /** Everything forced to disk, {@code _SUCCESS} last, if the input did not change meanwhile. */
  void commit() throws IOException {
    prepared.requireInputUnchanged();
    store().finish(prepared.identity.json());
  }

  /** After a failure: nothing of this mode's output stays. */
  void abandon() {
    try {
      store().abandon();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  ConvertSummary summary(double quantizeSeconds, double seconds) {
    return new ConvertSummary(false, plan.tensors().size(), (int) quantizedCount(plan),
        plan.blocks().size(), layout.shards().size(), prepared.model.inputBytes(), layout.shardFileBytes(),
        quantizeSeconds, seconds);
  }

  private static long quantizedCount(ConversionPlan plan) {
    return plan.tensors().stream().filter(t -> t.action() != TensorAction.COPY).count();
  }
}
