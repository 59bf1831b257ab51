package dev.quarry.convert;

import dev.quarry.ByteUnits;
import dev.quarry.fs.BackgroundSync;
import dev.quarry.fs.PositionedFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * places ({@link UnitWriter}) while the driver forces the shards to the disk ({@link BackgroundSync});
 * a run of several modes reads each input block once and writes every mode's bytes of it
 * ({@link ReadUnit}). Elsewhere (HDFS, S3A) one task per shard streams it in order, computing its
 * blocks on the executor's cores ahead of the stream ({@link StreamedShardWriter}), one mode after the other.
 */
final class WritePass {
  private WritePass() {}

  /**
   * Writes every mode's output, adding what was written to each mode and failing the modes whose
   * tasks reported a failure; logs how many bytes each executor wrote. The outputs that take
   * positioned writes share one pass, in which each input block is read once for all of them; the
   * others are streamed one mode after the other.
   */
  static void run(JavaSparkContext sc, List<ModeConversion> modes, Consumer<String> log) throws IOException {
    List<ModeConversion> inPlace = modes.stream().filter(m -> PositionedFiles.supports(m.store().fs())).toList();
    if (!inPlace.isEmpty()) {
      Map<Integer, ModeConversion> byOutput = new HashMap<>();
      inPlace.forEach(m -> byOutput.put(m.output, m));
      for (WriteOutcome w : positioned(sc, inPlace, log)) {
        ModeConversion m = byOutput.get(w.output());
        if (w.failure() != null) {
          m.fail(w.failure());
        } else {
          m.written.add(w.piece());
        }
      }
    }
    for (ModeConversion m : modes) {
      if (!inPlace.contains(m)) {
        try {
          m.written.addAll(streamed(sc, m.store(), m.placement, m.log));
        } catch (IOException | RuntimeException e) {
          m.fail(e);
        }
      }
    }
    Map<String, Long> byExecutor = new TreeMap<>();
    modes.forEach(m -> m.written.forEach(w -> byExecutor.merge(w.executor(), w.piece().length(), Long::sum)));
    log.accept("bytes written by executor: " + byExecutor.entrySet().stream()
        .map(e -> e.getKey() + " " + ByteUnits.size(e.getValue())).collect(Collectors.joining(", ")));
  }

  private static List<WriteOutcome> positioned(JavaSparkContext sc, List<ModeConversion> modes, Consumer<String> log)
      throws IOException {
    List<ShardFile> files = new ArrayList<>();
    Map<Integer, List<WriteUnit>> unitsByOutput = new LinkedHashMap<>();
    for (ModeConversion m : modes) {
      try {
        create(m.placement.files());
        files.addAll(m.placement.files());
        unitsByOutput.put(m.output, m.placement.units());
      } catch (IOException e) {
        m.fail(e);
      }
    }
    if (unitsByOutput.isEmpty()) {
      return List.of();
    }
    List<ReadUnit> reads = ReadUnit.of(unitsByOutput);
    long bytes = reads.stream().mapToLong(ReadUnit::inputBytes).sum();
    ModeConversion first = modes.stream().filter(m -> unitsByOutput.containsKey(m.output)).findFirst().orElseThrow();
    ConvertOptions o = first.options();
    int partitions = o.partitions() > 0 ? o.partitions() : PassPartitions.of(reads.size(), bytes, sc.defaultParallelism());
    InputLocality locality = InputLocality.of(first.plan.blocks());
    log.accept(String.format("writing %d shard(s) in place: %d units in %d tasks", files.size(), reads.size(), partitions));
    try (BackgroundSync sync = BackgroundSync.start(files.stream().map(ShardFile::path).toList());
        ProgressReporter progress = new ProgressReporter(sc, "quantize and write", first.plan.tensors().size(),
            reads, partitions, log, ConversionJob.PROGRESS_MILLIS)) {
      return ConversionJob.collect(LocalizedTasks.rdd(sc, reads, partitions,
              r -> r.copies() ? Map.of() : locality.bytesByHost(r.units().get(0).block()))
          .mapPartitions(it -> {
            List<ReadUnit> mine = new ArrayList<>();
            it.forEachRemaining(mine::add);
            return UnitWriter.writeAll(mine).iterator();
          }));
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

  /** One shard to stream and the units with pieces in it. */
  private record StreamedShard(ShardFile file, List<WriteUnit> units) implements Serializable {}

  private static List<WrittenPiece> streamed(JavaSparkContext sc, OutputStore store, ShardPlacement placement,
      Consumer<String> log) throws IOException {
    ClusterShape cluster = ClusterShape.of(sc);
    List<StreamedShard> shards = new ArrayList<>();
    for (ShardFile f : placement.files()) {
      shards.add(new StreamedShard(f, placement.units().stream()
          .filter(u -> u.pieces().stream().anyMatch(p -> p.file().equals(f.path()))).toList()));
    }
    int threads = cluster.threadsPerShard(shards.size());
    ShardDestination destination = store.shardDestination();
    log.accept(String.format("streaming %d shard(s), one task each on %d thread(s) (%s)", shards.size(), threads, cluster));
    List<WrittenShard> streamed = ConversionJob.collect(sc.parallelize(shards, Math.max(1, shards.size()))
        .map(s -> StreamedShardWriter.write(s.file(), s.units(), destination, TaskContext.get().taskAttemptId(), threads)));
    List<WrittenPiece> written = new ArrayList<>();
    for (int i = 0; i < shards.size(); i++) {
      store.commitShard(streamed.get(i).path(), shards.get(i).file().path());
      written.addAll(streamed.get(i).pieces());
    }
    return written;
  }
}
