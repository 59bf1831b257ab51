package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.PathOverlap;
import dev.quarry.json.ShardIndexJson;
import dev.quarry.kernels.ExactSum;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.quantize.ModuleSelector;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A whole conversion on Spark: read and plan on the driver; executors quantize the blocks; the
 * driver reduces the double-quant offsets and executors quantize the absmax; executors assemble
 * one output shard each; the driver commits (shards, index, config.json, other files, _SUCCESS).
 */
public final class ConversionJob {
  private static final long PROGRESS_MILLIS = 5_000;
  /** How long a failed run waits for the tasks still running before it removes its output. */
  private static final long ABANDON_WAIT_MILLIS = 60_000;

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

  public static ConvertSummary run(JavaSparkContext sc, PreparedConversion c, Consumer<String> log) throws IOException {
    if (c.alreadyDone()) {
      return ConvertSummary.nothingToDo();
    }
    long start = System.nanoTime();
    ConvertOptions o = c.options;
    OutputStore store = c.store;
    InputModel model = c.model;
    ConversionPlan plan = c.plan;
    ConversionIdentity identity = c.identity;
    log.accept(String.format("planned %d tensors (%d to %s) in %d blocks from %d shard(s)",
        plan.tensors().size(), quantizedCount(plan), o.mode(), plan.blocks().size(), model.shards().size()));
    String staging = store.prepare(identity.stagingKey(o.blockBytes()));
    PhaseClock phases = new PhaseClock(log);
    try {
      long quantizeStart = System.nanoTime();
      ClusterShape cluster = ClusterShape.of(sc);
      boolean stageCodes = !CodePlacement.recompute(plannedLayout(plan, o), cluster);
      log.accept((stageCodes ? "codes: staged by the first pass for the shard writers to copy"
          : "codes: computed again by the shard writers (the first pass keeps their CRC32C)") + " (" + cluster + ")");
      List<BlockResult> blocks = quantizeBlocks(sc, plan, o, staging, stageCodes, log);
      phases.ended("quantize");
      NonFiniteTensors nonFinite = NonFiniteTensors.keepUnquantized(plan, blocks, log);
      plan = nonFinite.plan();
      float[] offsets = offsets(plan, blocks);
      List<BlockResult> nested = o.mode().doubleQuant() ? nestedPass(sc, plan, blocks, offsets, o, staging, log)
          : Arrays.asList(new BlockResult[blocks.size()]);
      if (o.mode().doubleQuant()) {
        phases.ended("double-quant");
      }
      double quantizeSeconds = (System.nanoTime() - quantizeStart) / 1e9;
      OutputLayout layout = OutputLayout.of(plan, o, blocks, nested, offsets);
      List<ShardTask> shardTasks = layout.shards();
      ShardDestination destination = store.shardDestination(staging);
      int threadsPerShard = cluster.threadsPerShard(shardTasks.size());
      List<WrittenShard> written = collect(sc.parallelize(shardTasks, Math.max(1, shardTasks.size()))
          .map(task -> ShardWriter.write(task, destination, TaskContext.get().taskAttemptId(), threadsPerShard)));
      Map<String, Map<String, Long>> crcs = new HashMap<>();
      for (int i = 0; i < shardTasks.size(); i++) {
        store.commitShard(written.get(i).path(), shardTasks.get(i).fileName());
        crcs.put(shardTasks.get(i).fileName(), written.get(i).crc32c());
      }
      phases.ended("shards");
      writeIndex(store, shardTasks, parameterCount(plan, o));
      long bytesOut = layout.shardFileBytes();
      if (model.config() != null) {
        Map<String, Object> q = QuantizationConfigJson.of(o.mode(), QuantizationConfigJson.modelDtype(model.config()),
            skipModules(o.rules(), plan, nonFinite.modules()));
        store.writeJson(ModelReader.CONFIG, QuantizationConfigJson.configWith(model.config(), q));
      }
      store.copyUnchanged(model.otherFiles());
      ManifestWriter.write(o, model, layout, blocks, crcs);
      phases.ended("metadata and manifest");
      store.finish(identity.json());
      phases.ended("commit");
      return new ConvertSummary(false, plan.tensors().size(), (int) quantizedCount(plan), plan.blocks().size(),
          shardTasks.size(), model.inputBytes(), bytesOut, quantizeSeconds, (System.nanoTime() - start) / 1e9);
    } catch (IOException | RuntimeException e) {
      RunningTasks.awaitNone(sc, ABANDON_WAIT_MILLIS);
      store.abandon();
      throw e;
    }
  }

  private static long quantizedCount(ConversionPlan plan) {
    return plan.tensors().stream().filter(t -> t.action() != TensorAction.COPY).count();
  }

  /** The output's shards as sizes alone decide them ({@link PlannedResults}; the data cannot change them). */
  private static OutputLayout plannedLayout(ConversionPlan plan, ConvertOptions o) throws CheckpointException {
    List<BlockResult> blocks = PlannedResults.blocks(plan);
    return OutputLayout.of(plan, o, blocks, PlannedResults.nested(plan, blocks), new float[plan.tensors().size()]);
  }

  /** Runs the blocks no earlier run of this plan finished; returns every block's result, by block id. */
  private static List<BlockResult> quantizeBlocks(JavaSparkContext sc, ConversionPlan plan, ConvertOptions o,
      String staging, boolean stageCodes, Consumer<String> log) throws IOException {
    Map<Integer, BlockResult> finished = reusable(staging, "block", plan.blocks().size(), log);
    // the progress reporter counts what this run does: the blocks left, as they are parallelized
    ConversionPlan todo = new ConversionPlan(plan.tensors(),
        plan.blocks().stream().filter(b -> !finished.containsKey(b.blockId())).toList());
    boolean allowNonFinite = o.allowNonFinite();
    List<BlockResult> results = new ArrayList<>(finished.values());
    int partitions = o.partitions() > 0 ? o.partitions()
        : PassPartitions.firstPass(todo.blocks().size(), todo.blockBytes(), sc.defaultParallelism());
    InputLocality locality = InputLocality.of(todo.blocks());
    try (ProgressReporter progress = new ProgressReporter(sc, todo, partitions, log, PROGRESS_MILLIS)) {
      results.addAll(collect(LocalizedTasks.rdd(sc, todo.blocks(), partitions, locality::bytesByHost)
          .map(task -> BlockProcessor.process(task, staging, TaskContext.get().taskAttemptId(), allowNonFinite,
              stageCodes))));
    }
    return byId(results, plan.blocks().size());
  }

  /** The results of {@code kind} a run of the same plan (interrupted) committed in the staging area. */
  private static Map<Integer, BlockResult> reusable(String staging, String kind, int count, Consumer<String> log)
      throws IOException {
    Path dir = new Path(staging);
    Map<Integer, BlockResult> finished = StagedBlocks.finished(FileSystems.forPath(dir), staging, kind, count);
    if (!finished.isEmpty()) {
      log.accept(String.format("reusing %d %s result(s) an interrupted run of the same conversion finished",
          finished.size(), kind));
    }
    return finished;
  }

  /** One offset per double-quantized tensor: the merged exact sums of its blocks over its absmax count. */
  private static float[] offsets(ConversionPlan plan, List<BlockResult> blocks) {
    float[] offsets = new float[plan.tensors().size()];
    for (TensorPlan t : plan.tensors()) {
      if (t.blockCount() == 0 || blocks.get(t.firstBlock()).absmaxSum() == null) {
        continue;
      }
      ExactSum sum = new ExactSum();
      long count = 0;
      for (int b = t.firstBlock(); b < t.firstBlock() + t.blockCount(); b++) {
        sum.merge(blocks.get(b).absmaxSum());
        count += blocks.get(b).secondaryBytes() / 4;
      }
      offsets[t.id()] = sum.mean(count);
    }
    return offsets;
  }

  private static List<BlockResult> nestedPass(JavaSparkContext sc, ConversionPlan plan, List<BlockResult> blocks,
      float[] offsets, ConvertOptions o, String staging, Consumer<String> log) throws IOException {
    Map<Integer, BlockResult> finished = reusable(staging, "nested", blocks.size(), log);
    List<NestedTask> tasks = new ArrayList<>();
    for (BlockTask b : plan.blocks()) {
      BlockResult r = blocks.get(b.blockId());
      if (!finished.containsKey(b.blockId())) {
        tasks.add(new NestedTask(b.blockId(), r.path(), r.secondary().offset(), (int) (r.secondaryBytes() / 4), offsets[b.tensorId()]));
      }
    }
    int partitions = o.partitions() > 0 ? o.partitions() : PassPartitions.doubleQuant(tasks.size(), sc.defaultParallelism());
    List<BlockResult> results = new ArrayList<>(finished.values());
    results.addAll(collect(sc.parallelize(tasks, partitions)
        .map(task -> NestedProcessor.process(task, staging, TaskContext.get().taskAttemptId()))));
    return byId(results, blocks.size());
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

  /** Results indexed by block id; null where a block has none (a tensor kept unquantized skips the nested pass). */
  private static List<BlockResult> byId(List<BlockResult> results, int blockCount) {
    BlockResult[] byId = new BlockResult[blockCount];
    for (BlockResult r : results) {
      byId[r.blockId()] = r;
    }
    return Arrays.asList(byId);
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
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof CheckpointException ce) {
          throw ce;
        }
      }
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof IOException io) {
          throw io;
        }
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getMessage(), e);
    }
  }
}
