package dev.quarry.convert.write;

import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.store.ShardRecord;
import dev.quarry.fs.DurableFiles;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.WholeFiles;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;

/**
 * The driver's count of what is written of each shard during the quantize-and-write pass: as each
 * task's result comes back ({@link SparkJobs#collectEach}) its pieces are ticked off (a multipart upload's once
 * the driver has completed it, here, as its last part came back), and when a shard's last piece is
 * in — the shard is complete at its final name — the shard is forced to the disk and its
 * {@link ShardRecord} written under {@code _staging}, so that a rerun after a kill keeps it. This runs
 * on a thread of its own, in the order the results came, not on Spark's scheduler thread: a force can
 * take a while. The first failure (a record or a force that cannot be written) fails the pass at
 * {@link #close()}.
 */
final class ShardCompletions implements AutoCloseable {
  /** A step of the completion thread. */
  private interface Step {
    void run() throws IOException;
  }

  /** Completes a shard's multipart upload and returns the pieces its parts wrote. */
  interface Upload {
    List<WrittenPiece> complete() throws IOException;
  }

  private final OutputStore store;
  private final String identity;
  /** Whether a file written in the output directory appears only when complete (an object store). */
  private final boolean whole;
  private final Map<String, Long> lengths = new HashMap<>();
  private final Map<Piece, PlacedPiece> placed = new HashMap<>();
  private final Map<String, Integer> missing = new HashMap<>();
  private final Map<String, List<ShardRecord.Entry>> entries = new HashMap<>();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "quarry-shard-completions");
    t.setDaemon(true);
    return t;
  });
  private volatile Exception failure;

  /** Counts the pieces of every shard in {@code placement}; the shards holding none are complete at once. */
  ShardCompletions(OutputStore store, String identity, ShardPlacement placement) throws IOException {
    this.store = store;
    this.whole = WholeFiles.writesAppearWhole(store.fs(), store.dir());
    this.identity = identity;
    placement.files().forEach(f -> lengths.put(f.path(), f.length()));
    placement.computedPiecesByFile().forEach((file, pieces) -> {
      pieces.forEach(p -> placed.put(p.piece(), p));
      missing.put(file, pieces.size());
    });
    for (ShardFile f : placement.files()) {
      entries.put(f.path(), new ArrayList<>());
      missing.putIfAbsent(f.path(), 0);
    }
  }

  /** Records the shards that hold nothing but fixed bytes: they are complete once the driver has created them. */
  void createdFiles() {
    submit(() -> {
      for (Map.Entry<String, Integer> e : missing.entrySet()) {
        if (e.getValue() == 0) {
          completed(e.getKey());
        }
      }
    });
  }

  /** Pieces a task wrote in place: each shard whose last piece this is gets its record. */
  void accept(List<WrittenPiece> written) {
    submit(() -> record(written));
  }

  /**
   * A shard whose parts are all in: its upload is completed on this thread (Spark's scheduler thread,
   * which hands the parts over, must not wait on the store), then the shard gets its record.
   */
  void uploaded(String shard, Upload upload) {
    submit(() -> {
      record(upload.complete());
      if (missing.get(shard) == 0 && entries.containsKey(shard)) { // it holds no computed piece: complete once uploaded
        completed(shard);
      }
    });
  }

  private void record(List<WrittenPiece> written) throws IOException {
    for (WrittenPiece w : written) {
      PlacedPiece p = placed.get(w.piece());
      if (p == null) {
        throw new IllegalStateException("a task wrote a piece the plan does not place: " + w.piece().block());
      }
      entries.get(p.file()).add(new ShardRecord.Entry(p.position(), w.piece().length(), w.crc32c(), w.errors()));
      if (missing.merge(p.file(), -1, Integer::sum) == 0) {
        completed(p.file());
      }
    }
  }

  private void submit(Step step) {
    thread.execute(() -> {
      if (failure != null) {
        return;
      }
      try {
        step.run();
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
    });
  }

  /** Forces the complete shard to the disk, then writes its record and forces that: a record never claims lost bytes. */
  private void completed(String file) throws IOException {
    Path shard = new Path(file);
    DurableFiles.sync(store.fs(), shard);
    List<ShardRecord.Entry> pieces = entries.remove(file);
    pieces.sort(Comparator.comparingLong(ShardRecord.Entry::position));
    ShardRecord record = new ShardRecord(identity, shard.getName(), lengths.get(file), pieces);
    Path path = store.recordOf(shard.getName());
    // a record appears whole or not at all: where a file shows while it is written, under a
    // temporary name first (a kill mid-write then leaves no record, and the shard is redone)
    Path written = whole ? path : path.suffix(".tmp");
    try (OutputStream out = NamedOutputStream.create(store.fs(), written, true)) {
      out.write(record.toJson());
    }
    DurableFiles.sync(store.fs(), written);
    if (!whole) {
      FileSystems.commit(store.fs(), written, path);
    }
    DurableFiles.sync(store.fs(), path.getParent());
  }

  /** Waits for every record of the pass; throws the first failure, the first time only (a second close does nothing). */
  @Override
  public void close() throws IOException {
    if (thread.isShutdown()) {
      return;
    }
    thread.shutdown();
    try {
      while (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
        // a force of a large shard on a slow disk: keep waiting, the pass is not done before it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while recording completed shards", e);
    }
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
  }
}
