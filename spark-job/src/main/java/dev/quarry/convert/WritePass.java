package dev.quarry.convert;

import dev.quarry.ByteUnits;
import dev.quarry.fs.BackgroundSync;
import dev.quarry.fs.PositionedFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The quantize-and-write pass on Spark: every block is quantized once and each output byte written
 * once, by the task that computed it. Where the output takes positioned writes (a local or mounted
 * file system) the driver creates each shard at its final name and length with its fixed bytes, and
 * tasks of a few blocks each, on every core of every executor, write their sections at their
 * places ({@link UnitWriter}) while the driver forces the shards to the disk ({@link BackgroundSync}). Elsewhere (HDFS, S3A) one task per shard streams it in order,
 * computing its blocks on the executor's cores ahead of the stream ({@link StreamedShardWriter}).
 */
final class WritePass {
  private WritePass() {}

  /**
   * What was written of every unit's pieces; logs how many bytes each executor wrote. Each shard
   * gets its completion record (with {@code identity}) as soon as it is complete ({@link ShardCompletions}).
   */
  static List<WrittenPiece> run(JavaSparkContext sc, OutputStore store, ShardPlacement placement, ConversionPlan plan,
      ConvertOptions o, String identity, Consumer<String> log) throws IOException {
    if (placement.files().isEmpty()) {
      return List.of(); // every shard kept from an interrupted run
    }
    List<WrittenPiece> written;
    try (ShardCompletions completions = new ShardCompletions(store, identity, placement)) {
      written = PositionedFiles.supports(store.fs()) ? positioned(sc, placement, plan, o, completions, log)
          : streamed(sc, store, placement, completions, log);
    }
    Map<String, Long> byExecutor = new TreeMap<>();
    written.forEach(w -> byExecutor.merge(w.executor(), w.piece().length(), Long::sum));
    log.accept("bytes written by executor: " + byExecutor.entrySet().stream()
        .map(e -> e.getKey() + " " + ByteUnits.size(e.getValue())).collect(Collectors.joining(", ")));
    return written;
  }

  private static List<WrittenPiece> positioned(JavaSparkContext sc, ShardPlacement placement, ConversionPlan plan,
      ConvertOptions o, ShardCompletions completions, Consumer<String> log) throws IOException {
    try (PositionedFiles files = new PositionedFiles()) {
      for (ShardFile f : placement.files()) {
        PositionedFiles.create(f.path(), f.length());
        for (PlacedPiece p : f.fixed()) {
          files.write(p.file(), p.position(), ByteBuffer.wrap(p.piece().inline()));
        }
      }
    }
    completions.createdFiles();
    List<WriteUnit> units = placement.units();
    long bytes = units.stream().mapToLong(WriteUnit::inputBytes).sum();
    int partitions = o.partitions() > 0 ? o.partitions() : PassPartitions.of(units.size(), bytes, sc.defaultParallelism());
    InputLocality locality = InputLocality.of(plan.blocks());
    log.accept(String.format("writing %d shard(s) in place: %d units in %d tasks", placement.files().size(),
        units.size(), partitions));
    try (BackgroundSync sync = BackgroundSync.start(placement.files().stream().map(ShardFile::path).toList());
        ProgressReporter progress = new ProgressReporter(sc, "quantize and write", plan.tensors().size(), units,
            partitions, log, ConversionJob.PROGRESS_MILLIS)) {
      return ConversionJob.collectEach(LocalizedTasks.rdd(sc, units, partitions,
              u -> u.block() == null ? Map.of() : locality.bytesByHost(u.block()))
          .mapPartitions(it -> {
            List<WriteUnit> mine = new ArrayList<>();
            it.forEachRemaining(mine::add);
            return UnitWriter.writeAll(mine).iterator();
          }), task -> completions.accept(task, () -> {}));
    }
  }

  /** One shard to stream and the units with pieces in it. */
  private record StreamedShard(ShardFile file, List<WriteUnit> units) implements Serializable {}

  private static List<WrittenPiece> streamed(JavaSparkContext sc, OutputStore store, ShardPlacement placement,
      ShardCompletions completions, Consumer<String> log) throws IOException {
    ClusterShape cluster = ClusterShape.of(sc);
    List<StreamedShard> shards = new ArrayList<>();
    for (ShardFile f : placement.files()) {
      shards.add(new StreamedShard(f, placement.units().stream()
          .filter(u -> u.pieces().stream().anyMatch(p -> p.file().equals(f.path()))).toList()));
    }
    int threads = cluster.threadsPerShard(shards.size());
    ShardDestination destination = store.shardDestination();
    log.accept(String.format("streaming %d shard(s), one task each on %d thread(s) (%s)", shards.size(), threads, cluster));
    // each shard is renamed into place (where it was staged) as its task succeeds, then recorded complete
    List<WrittenShard> streamed = ConversionJob.collectEach(sc.parallelize(shards, Math.max(1, shards.size()))
        .map(s -> StreamedShardWriter.write(s.file(), s.units(), destination, TaskContext.get().taskAttemptId(), threads)),
        task -> task.forEach(w -> completions.accept(w.pieces(), () -> store.commitShard(w.path(), w.target()))));
    List<WrittenPiece> written = new ArrayList<>();
    streamed.forEach(w -> written.addAll(w.pieces()));
    return written;
  }
}
