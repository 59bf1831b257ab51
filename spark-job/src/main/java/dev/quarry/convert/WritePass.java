package dev.quarry.convert;

import dev.quarry.ByteUnits;
import dev.quarry.fs.BackgroundSync;
import dev.quarry.fs.PositionedFiles;
import dev.quarry.fs.WholeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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
 * places ({@link UnitWriter}) while the driver forces the shards to the disk ({@link BackgroundSync}).
 * Elsewhere (HDFS, S3A) every shard is a multipart upload whose parts, contiguous byte ranges of the
 * planned layout ({@link ShardParts}), tasks on every core put ({@link PartWriter}).
 */
final class WritePass {
  private WritePass() {}

  /**
   * What was written of every unit's pieces; logs how many bytes each executor wrote. Each shard
   * gets its completion record (with {@code identity}) once it is complete at its final name
   * ({@link ShardCompletions}): in place, as its last piece is written; a multipart upload, when the
   * driver completes it, at the end of the pass.
   */
  static List<WrittenPiece> run(JavaSparkContext sc, OutputStore store, ShardPlacement placement, ConversionPlan plan,
      ConvertOptions o, String identity, Consumer<String> log) throws IOException {
    if (placement.files().isEmpty()) {
      return List.of(); // every shard kept from an interrupted run
    }
    List<WrittenPiece> written;
    try (ShardCompletions completions = new ShardCompletions(store, identity, placement)) {
      written = PositionedFiles.supports(store.fs()) ? positioned(sc, placement, plan, o, completions, log)
          : multipart(sc, store, placement, plan, completions, log);
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
          }), completions::accept);
    }
  }

  /**
   * Every shard a multipart upload: the driver starts the uploads, one task per part puts its bytes
   * (parts of every shard on every core of every executor), and the driver completes the uploads in
   * shard order once every part is in; a failure aborts them (after the tasks still running have ended,
   * so that none puts a part after the abort).
   */
  private static List<WrittenPiece> multipart(JavaSparkContext sc, OutputStore store, ShardPlacement placement,
      ConversionPlan plan, ShardCompletions completions, Consumer<String> log) throws IOException {
    long partBytes = ShardParts.partBytes(store.fs(), store.dir());
    InputLocality locality = InputLocality.of(plan.blocks());
    try (ShardUploads uploads = ShardUploads.start(store.fs(), store.dir(), placement.files())) {
      List<UploadPart> parts = ShardParts.of(placement, partBytes, uploads.handles());
      Map<String, Integer> partsPerShard = new LinkedHashMap<>();
      parts.forEach(p -> partsPerShard.merge(p.shard(), 1, Integer::sum));
      log.accept(String.format("uploading %d shard(s) in %d parts of %s to twice that, one task each (%s)",
          placement.files().size(), parts.size(), ByteUnits.size(partBytes), ClusterShape.of(sc)));
      String outputDir = store.dir().toString();
      boolean inMemory = WholeFiles.writesAppearWhole(store.fs(), store.dir());
      List<PutPart> put;
      try {
        put = ConversionJob.collect(LocalizedTasks.rdd(sc, parts, parts.size(), p -> inputHosts(p, locality))
            .map(p -> PartWriter.put(p, outputDir, inMemory)));
      } catch (IOException | RuntimeException e) {
        RunningTasks.awaitNone(sc, ConversionJob.ABANDON_WAIT_MILLIS);
        throw e;
      }
      log.accept("parts put by executor: " + PartsPut.byExecutor(put));
      uploads.complete(put, partsPerShard);
      List<WrittenPiece> written = PieceRanges.compose(put);
      completions.accept(written); // only now is any shard at its final name: a kill before leaves nothing to keep
      return written;
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
