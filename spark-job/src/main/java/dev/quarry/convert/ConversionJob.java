package dev.quarry.convert;

import dev.quarry.bnb.QuantizationConfigJson;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.PathOverlap;
import dev.quarry.json.ShardIndexJson;
import dev.quarry.kernels.ExactSum;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.quality.ErrorStats;
import dev.quarry.quantize.ModuleSelector;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A whole conversion on Spark: read and plan on the driver ({@link #prepare}), then the phases of
 * {@link #run}: scan, lay out, quantize and write, commit.
 */
public final class ConversionJob {
  /** How often the progress of a pass is logged. */
  static final long PROGRESS_MILLIS = 5_000;
  /** How long a failed run waits for the tasks still running before it removes its output. */
  static final long ABANDON_WAIT_MILLIS = 60_000;

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
    Path input = new Path(o.input());
    FileSystem inFs = FileSystems.forPath(input);
    OutputStore store = new OutputStore(new Path(o.output()));
    PathOverlap.refuse(inFs, input, store.fs(), store.dir());
    InputModel model = ModelReader.read(inFs, input);
    ConversionPlan plan = Planner.plan(model, o);
    ConversionIdentity identity = ConversionIdentity.of(inFs, input, model, o);
    return new PreparedConversion(o, store, model, plan, identity, ExistingOutput.alreadyDone(store, identity, o.overwrite()));
  }

  /**
   * The phases: scan (only where the layout depends on the data: double quantization's offsets,
   * --allow-non-finite; a rerun scans again, reading only), lay out every output byte, keep the shards
   * an interrupted run of this conversion completed ({@link KeptShards}), quantize and write each
   * other byte once where it goes, then commit (metadata, manifest, everything forced to disk, {@code _SUCCESS} last).
   */
  public static ConvertSummary run(JavaSparkContext sc, PreparedConversion c, Consumer<String> log) throws IOException {
    if (c.alreadyDone()) {
      return ConvertSummary.nothingToDo();
    }
    long start = System.nanoTime();
    ConvertOptions o = c.options;
    OutputStore store = c.store;
    InputModel model = c.model;
    ConversionPlan plan = c.plan;
    log.accept(String.format("planned %d tensors (%d to %s) in %d blocks from %d shard(s)",
        plan.tensors().size(), quantizedCount(plan), o.mode(), plan.blocks().size(), model.shards().size()));
    store.prepare();
    PhaseClock phases = new PhaseClock(log);
    try {
      Map<Integer, ScanResult> scans = ScanPass.run(sc, plan, o, log);
      if (!scans.isEmpty()) {
        phases.ended("scan");
      }
      NonFiniteTensors nonFinite = NonFiniteTensors.keepUnquantized(plan, scans, log);
      plan = nonFinite.plan();
      float[] offsets = offsets(plan, scans);
      OutputLayout layout = OutputLayout.of(plan, o, offsets);
      ShardPlacement placement = ShardPlacement.of(layout, store.dir(), plan, offsets, scans::get);
      KeptShards kept = KeptShards.find(sc, store, c.identity.json(), placement, log);
      if (kept.resumed()) {
        phases.ended("check the interrupted run's shards");
      }
      List<WrittenPiece> written = new ArrayList<>(WritePass.run(sc, store, kept.remaining(), plan, o, c.identity.json(), log));
      written.addAll(kept.pieces());
      phases.ended("quantize and write");
      double quantizeSeconds = (System.nanoTime() - start) / 1e9;
      Map<Piece, Long> pieceCrcs = new HashMap<>();
      Map<Integer, ErrorStats> errors = new HashMap<>();
      for (WrittenPiece w : written) {
        pieceCrcs.put(w.piece(), w.crc32c());
        if (w.errors() != null) {
          errors.merge(w.piece().block().tensorId(), w.errors(), ErrorStats::merge);
        }
      }
      writeIndex(store, layout.shards(), parameterCount(plan, o));
      if (model.config() != null) {
        Map<String, Object> q = QuantizationConfigJson.of(o.mode(), o.quantStorage(),
            o.computeDtype() == null ? null : o.computeDtype().torchName(), QuantizationConfigJson.modelDtype(model.config()),
            skipModules(o.rules(), plan, nonFinite.modules()));
        store.writeJson(ModelReader.CONFIG, QuantizationConfigJson.configWith(model.config(), q));
      }
      store.copyUnchanged(model.otherFiles());
      ManifestWriter.write(o, c.identity, layout, errors, OutputCrcs.of(layout, pieceCrcs));
      phases.ended("metadata and manifest");
      c.requireInputUnchanged();
      store.finish(c.identity.json());
      phases.ended("commit");
      return new ConvertSummary(false, plan.tensors().size(), (int) quantizedCount(plan), plan.blocks().size(),
          layout.shards().size(), model.inputBytes(), layout.shardFileBytes(), quantizeSeconds,
          (System.nanoTime() - start) / 1e9);
    } catch (IOException | RuntimeException e) {
      RunningTasks.awaitNone(sc, ABANDON_WAIT_MILLIS);
      store.abandon();
      throw e;
    }
  }

  private static long quantizedCount(ConversionPlan plan) {
    return plan.tensors().stream().filter(t -> t.action() != TensorAction.COPY).count();
  }

  /** One offset per double-quantized tensor: the merged exact sums of its blocks' absmax over their count. */
  static float[] offsets(ConversionPlan plan, Map<Integer, ScanResult> scans) {
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

  /**
   * The index's {@code total_parameters}: transformers 5 writes {@code model.num_parameters()}, which
   * counts a 4-bit weight of n elements as its packed bytes times two (n rounded up to even) and an
   * int8 or copied tensor as its elements.
   */
  static long parameterCount(ConversionPlan plan, ConvertOptions o) {
    long parameters = 0;
    for (TensorPlan t : plan.tensors()) {
      long n = t.tensor().elementCount();
      parameters += t.action() == TensorAction.QUANTIZE && o.mode().isFourBit() ? (n + 1) / 2 * 2 : n;
    }
    return parameters;
  }

  /** Writes the index when there are several shards, as transformers does. */
  private static void writeIndex(OutputStore store, List<ShardTask> shards, long parameters) throws IOException {
    long total = 0;
    Map<String, String> weightMap = new TreeMap<>();
    for (ShardTask s : shards) {
      for (OutputTensorPlan t : s.tensors()) {
        weightMap.put(t.name(), s.fileName());
        total += t.byteSize();
      }
    }
    if (shards.size() > 1) {
      store.writeJson(ModelReader.INDEX, ShardIndexJson.of(weightMap, parameters, total));
    }
  }

  /**
   * {@code llm_int8_skip_modules}: null (transformers decides, and decides as quarry did) unless the
   * user changed the selection; then every pattern skipped plus the heads quarry kept, so that
   * transformers builds the same modules when it loads the output.
   */
  static List<String> skipModules(ModuleRules rules, ConversionPlan plan, List<String> keptNonFinite) {
    if (!rules.allLinear() && rules.skipModules().isEmpty() && rules.includeModules().isEmpty() && keptNonFinite.isEmpty()) {
      return null;
    }
    List<String> skip = new ArrayList<>(rules.skipModules());
    for (TensorPlan t : plan.tensors()) {
      String name = t.tensor().name();
      if (t.action() == TensorAction.COPY && t.tensor().rank() == 2 && name.endsWith(".weight")) {
        String module = name.substring(0, name.length() - ".weight".length());
        if (ModuleSelector.HEADS.contains(module.substring(module.lastIndexOf('.') + 1)) && !skip.contains(module)) {
          skip.add(module);
        }
      }
    }
    for (String module : keptNonFinite) {
      if (!skip.contains(module)) {
        skip.add(module);
      }
    }
    return skip;
  }

  /**
   * Runs the job; a task's failure comes back as the exception of quarry's own that caused it (bad
   * input: a {@link CheckpointException}, e.g. a NaN weight; else an I/O error naming its file), not
   * as Spark's wrapper around it.
   */
  public static <T> List<T> collect(JavaRDD<T> rdd) throws IOException {
    try {
      return rdd.collect();
    } catch (Exception e) { // Spark throws its checked SparkException without declaring it
      throw unwrapped(e);
    }
  }

  /** {@link #collect}, handing each task's elements to {@code eachTask} as the task succeeds ({@link TaskResults}). */
  static <T> List<T> collectEach(JavaRDD<T> rdd, Consumer<List<T>> eachTask) throws IOException {
    try {
      return TaskResults.collect(rdd, eachTask);
    } catch (Exception e) {
      throw unwrapped(e);
    }
  }

  private static IOException unwrapped(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof CheckpointException ce) {
        return ce;
      }
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof IOException io) {
        return io;
      }
    }
    if (e instanceof RuntimeException re) {
      throw re;
    }
    return new IOException(e.getMessage(), e);
  }
}
