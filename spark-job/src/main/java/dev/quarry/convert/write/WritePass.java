package dev.quarry.convert.write;

import dev.quarry.ByteUnits;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.InputLocality;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.fs.BackgroundSync;
import dev.quarry.fs.PositionedFiles;
import dev.quarry.fs.WholeFiles;
import dev.quarry.spark.ClusterShape;
import dev.quarry.spark.LocalizedTasks;
import dev.quarry.spark.PassPartitions;
import dev.quarry.spark.ProgressReporter;
import dev.quarry.spark.RunningTasks;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The quantize-and-write pass on Spark: every block is quantized once and each output byte written
 * once, by the task that computed it. Where the output takes positioned writes (a local or mounted
 * file system) the driver creates each shard at its final name and length with its fixed bytes, and
 * tasks of a few blocks each, on every core of every executor, write their sections at their
 * places ({@link UnitWriter}) while the driver forces the shards to the disk ({@link BackgroundSync});
 * a run of several modes reads each input block once and writes every mode's bytes of it
 * ({@link ReadUnit}). Elsewhere (HDFS, S3A) every shard is a multipart upload whose parts, contiguous
 * byte ranges of the planned layout ({@link ShardParts}), tasks on every core put ({@link PartWriter}),
 * one mode after the other, each shard completed as its last part comes in.
 */
public final class WritePass {
  private WritePass() {}

  /**
   * Writes every mode's output, adding what was written to each mode and failing the modes whose
   * tasks reported a failure; logs how many bytes each executor wrote. Each shard gets its completion
   * record once it is complete at its final name ({@link ShardCompletions}): in place, as its last
   * piece is written; a multipart upload, when the driver completes it, as its last part comes in.
   */
  public static void run(JavaSparkContext sc, List<WriteTarget> modes, Consumer<String> log) throws IOException {
    List<WriteTarget> toWrite = modes.stream().filter(m -> !m.placement().files().isEmpty()).toList();
    List<WriteTarget> inPlace = toWrite.stream().filter(m -> PositionedFiles.supports(m.store().fs())).toList();
    if (!inPlace.isEmpty()) {
      positioned(sc, inPlace, log);
    }
    for (WriteTarget m : toWrite) {
      if (!inPlace.contains(m)) {
        try {
          m.written().addAll(multipart(sc, m));
        } catch (IOException | RuntimeException e) {
          m.fail(e);
        }
      }
    }
    Map<String, Long> byExecutor = new TreeMap<>();
    toWrite.forEach(m -> m.written().forEach(w -> byExecutor.merge(w.executor(), w.piece().length(), Long::sum)));
    log.accept("bytes written by executor: " + byExecutor.entrySet().stream()
        .map(e -> e.getKey() + " " + ByteUnits.size(e.getValue())).collect(Collectors.joining(", ")));
  }

  /**
   * The outputs that take positioned writes, in one job: each input block read once for all of them.
   * A mode whose shards cannot be created, whose tasks report a failure or whose completion records
   * cannot be written is failed; the others go on.
   */
  private static void positioned(JavaSparkContext sc, List<WriteTarget> modes, Consumer<String> log)
      throws IOException {
    Map<Integer, WriteTarget> byOutput = new LinkedHashMap<>();
    Map<Integer, ShardCompletions> completions = new HashMap<>();
    Map<Integer, List<WriteUnit>> unitsByOutput = new LinkedHashMap<>();
    List<ShardFile> files = new ArrayList<>();
    for (WriteTarget m : modes) {
      try {
        create(m.placement().files());
        ShardCompletions c = new ShardCompletions(m.store(), m.identity(), m.placement());
        c.createdFiles();
        completions.put(m.output(), c);
        byOutput.put(m.output(), m);
        files.addAll(m.placement().files());
        unitsByOutput.put(m.output(), m.placement().units());
      } catch (IOException | RuntimeException e) {
        m.fail(e);
      }
    }
    if (unitsByOutput.isEmpty()) {
      return;
    }
    List<ReadUnit> reads = ReadUnit.of(unitsByOutput);
    long bytes = reads.stream().mapToLong(ReadUnit::inputBytes).sum();
    WriteTarget first = byOutput.values().iterator().next();
    ConvertOptions o = first.options();
    int partitions = o.partitions() > 0 ? o.partitions() : PassPartitions.of(reads.size(), bytes, sc.defaultParallelism());
    InputLocality locality = InputLocality.of(first.plan().blocks());
    log.accept(String.format("writing %d shard(s) in place: %d units in %d tasks", files.size(), reads.size(), partitions));
    List<WriteOutcome> outcomes;
    try (BackgroundSync sync = BackgroundSync.start(files.stream().map(ShardFile::path).toList());
        ProgressReporter progress = new ProgressReporter(sc, "quantize and write", first.plan().tensors().size(),
            reads, partitions, log, ProgressReporter.INTERVAL_MILLIS)) {
      outcomes = SparkJobs.collectEach(LocalizedTasks.rdd(sc, reads, partitions,
              r -> r.copies() ? Map.of() : locality.bytesByHost(r.units().get(0).block()))
          .mapPartitions(it -> {
            List<ReadUnit> mine = new ArrayList<>();
            it.forEachRemaining(mine::add);
            return UnitWriter.writeReads(mine).iterator();
          }), task -> WriteOutcome.writtenByOutput(task).forEach((output, pieces) -> completions.get(output).accept(pieces)));
    } catch (IOException | RuntimeException e) {
      for (ShardCompletions c : completions.values()) { // the records under way end before the outputs are removed
        try {
          c.close();
        } catch (IOException | RuntimeException x) {
          e.addSuppressed(x);
        }
      }
      throw e;
    }
    for (WriteOutcome w : outcomes) {
      WriteTarget m = byOutput.get(w.output());
      if (w.failure() != null) {
        m.fail(w.failure());
      } else {
        m.written().add(w.piece());
      }
    }
    for (WriteTarget m : byOutput.values()) {
      try {
        completions.get(m.output()).close();
      } catch (IOException | RuntimeException e) {
        m.fail(e);
      }
    }
  }

  /** Creates each shard at its final length, with the bytes no block computes. */
  private static void create(List<ShardFile> files) throws IOException {
    try (PositionedFiles positioned = new PositionedFiles()) {
      for (ShardFile f : files) {
        PositionedFiles.create(f.path(), f.length());
        for (PlacedPiece p : f.fixed()) {
          positioned.write(p.file(), p.position(), ByteBuffer.wrap(p.piece().inline()));
        }
      }
    }
  }

  /**
   * One mode's shards as multipart uploads: the driver starts the uploads, one task per part puts its
   * bytes (parts of every shard on every core of every executor), and the driver completes each shard's
   * upload as soon as its last part is in, then records the shard complete, so that a run killed later
   * leaves it for the rerun to keep. A failure aborts the uploads not completed (after the tasks still
   * running have ended, so that none puts a part after the abort); the shards completed stay until the
   * failed run removes its output.
   */
  private static List<WrittenPiece> multipart(JavaSparkContext sc, WriteTarget m) throws IOException {
    OutputStore store = m.store();
    ShardPlacement placement = m.placement();
    long partBytes = ShardParts.partBytes(store.fs(), store.dir());
    InputLocality locality = InputLocality.of(m.plan().blocks());
    // closed in reverse: the completion thread has stopped completing uploads before the others are aborted
    try (ShardUploads uploads = ShardUploads.start(store.fs(), store.dir(), placement.files());
        ShardCompletions completions = new ShardCompletions(store, m.identity(), placement)) {
      List<UploadPart> parts = ShardParts.of(placement, partBytes, uploads.handles());
      Map<String, Integer> partsPerShard = new LinkedHashMap<>();
      parts.forEach(p -> partsPerShard.merge(p.shard(), 1, Integer::sum));
      m.log().accept(String.format("uploading %d shard(s) in %d parts of %s to twice that, one task each (%s)",
          placement.files().size(), parts.size(), ByteUnits.size(partBytes), ClusterShape.of(sc)));
      String outputDir = store.dir().toString();
      boolean inMemory = WholeFiles.writesAppearWhole(store.fs(), store.dir());
      Map<String, List<PutPart>> arrived = new HashMap<>(); // only Spark's result thread touches it
      List<PutPart> put;
      try {
        put = SparkJobs.collectEach(LocalizedTasks.rdd(sc, parts, parts.size(), p -> inputHosts(p, locality))
            .map(p -> PartWriter.put(p, outputDir, inMemory)), task -> task.forEach(p -> {
              List<PutPart> shardParts = arrived.computeIfAbsent(p.shard(), s -> new ArrayList<>());
              shardParts.add(p);
              if (shardParts.size() == partsPerShard.get(p.shard())) {
                completions.uploaded(p.shard(), () -> {
                  List<WrittenPiece> written = PieceRanges.compose(shardParts); // every piece whole, before it shows
                  uploads.complete(p.shard(), shardParts);
                  return written;
                });
              }
            }));
      } catch (IOException | RuntimeException e) {
        RunningTasks.awaitNone(sc, RunningTasks.ABANDON_WAIT_MILLIS);
        throw e;
      }
      completions.close();
      uploads.requireAllCompleted();
      m.log().accept("parts put by executor: " + PartsPut.byExecutor(put));
      return PieceRanges.compose(put);
    }
  }

  /** The input bytes of a part's blocks on each host, summed: where the part's task reads least over the network. */
  private static Map<String, Long> inputHosts(UploadPart part, InputLocality locality) {
    Map<String, Long> hosts = new TreeMap<>();
    for (UploadPart.PartPiece p : part.pieces()) {
      if (p.unit() != null) {
        locality.bytesByHost(p.unit().block()).forEach((host, bytes) -> hosts.merge(host, bytes, Long::sum));
      }
    }
    return hosts;
  }
}
