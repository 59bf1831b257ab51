package dev.quarry.convert.commit;

import dev.quarry.ByteUnits;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.store.ShardRecord;
import dev.quarry.convert.write.PlacedPiece;
import dev.quarry.convert.write.ShardFile;
import dev.quarry.convert.write.ShardPlacement;
import dev.quarry.convert.write.WrittenPiece;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The shards of an interrupted run of the same conversion that this run keeps instead of writing them
 * again. A shard is kept only when its completion record ({@link ShardRecord}) was written by this very
 * conversion (same {@link ConversionIdentity}: quarry version, input files, options), describes the
 * shard this run would write (its length, every computed piece at the position and of the length this
 * run places it), and the file, read back on the executors, has exactly the CRC32C that the record's
 * pieces and this run's fixed bytes compose to. Reading the kept shards costs a read of them, no input
 * and no quantization; it is what catches a shard changed or cut after its record was written, which a
 * record alone cannot. The manifest takes the kept shards' CRCs and error figures from their records,
 * so it is the one an undisturbed run writes. Every other shard and record is deleted.
 */
public final class KeptShards {
  /** The executor name of the pieces the interrupted run wrote (they count for no executor of this run). */
  static final String INTERRUPTED_RUN = "interrupted run";

  private final ShardPlacement remaining;
  private final List<WrittenPiece> pieces;
  private final boolean resumed;

  private KeptShards(ShardPlacement remaining, List<WrittenPiece> pieces, boolean resumed) {
    this.remaining = remaining;
    this.pieces = List.copyOf(pieces);
    this.resumed = resumed;
  }

  /** Whether an interrupted run left completion records (kept or not): this run resumes it. */
  public boolean resumed() {
    return resumed;
  }

  /** What this run still writes: the placement without the kept shards. */
  public ShardPlacement remaining() {
    return remaining;
  }

  /** The kept shards' pieces as the interrupted run wrote them, for the manifest. */
  public List<WrittenPiece> pieces() {
    return pieces;
  }

  public static KeptShards find(JavaSparkContext sc, OutputStore store, String identity, ShardPlacement placement,
      Consumer<String> log) throws IOException {
    Map<String, List<PlacedPiece>> computed = placement.computedPiecesByFile();
    Map<ShardFile, ShardRecord> candidates = new LinkedHashMap<>();
    Map<ShardFile, Long> expected = new LinkedHashMap<>();
    boolean anyRecord = false;
    for (ShardFile f : placement.files()) {
      String name = new Path(f.path()).getName();
      byte[] recordBytes = store.record(name);
      if (recordBytes == null) {
        continue;
      }
      anyRecord = true;
      ShardRecord record = ShardRecord.parse(recordBytes);
      if (record == null) {
        log.accept("not keeping " + name + " of the interrupted run: its completion record is not one quarry wrote");
        continue;
      }
      List<PlacedPiece> planned = computed.getOrDefault(f.path(), List.of());
      String problem = problem(store, identity, f, record, planned);
      if (problem != null) {
        log.accept("not keeping " + name + " of the interrupted run: " + problem);
        continue;
      }
      candidates.put(f, record);
      expected.put(f, WholeFileCrc.of(f, record.pieces().stream()
          .map(e -> new WholeFileCrc.Run(e.position(), e.length(), e.crc32c())).toList()));
    }
    List<ShardFile> files = new ArrayList<>(candidates.keySet());
    List<Long> read = files.isEmpty() ? List.of()
        : SparkJobs.collect(sc.parallelize(files.stream().map(ShardFile::path).toList(), files.size())
            .map(WholeFileCrc::read));
    Set<String> keptPaths = new HashSet<>();
    Set<String> keptNames = new HashSet<>();
    List<WrittenPiece> pieces = new ArrayList<>();
    long keptBytes = 0;
    for (int i = 0; i < files.size(); i++) {
      ShardFile f = files.get(i);
      String name = new Path(f.path()).getName();
      if (read.get(i).longValue() != expected.get(f).longValue()) {
        log.accept(String.format("not keeping %s of the interrupted run: its bytes are not what its record says "
            + "(CRC32C %08x, recorded pieces give %08x)", name, read.get(i), expected.get(f)));
        continue;
      }
      keptPaths.add(f.path());
      keptNames.add(name);
      keptBytes += f.length();
      List<PlacedPiece> planned = computed.getOrDefault(f.path(), List.of());
      List<ShardRecord.Entry> recorded = candidates.get(f).pieces();
      for (int k = 0; k < planned.size(); k++) {
        pieces.add(new WrittenPiece(planned.get(k).piece(), recorded.get(k).crc32c(), recorded.get(k).errors(), INTERRUPTED_RUN));
      }
    }
    store.removeShardsBut(keptNames);
    if (anyRecord) {
      int total = placement.files().size();
      log.accept(String.format("kept %d of %d shards (%s) written by the interrupted run%s; converting the other %d",
          keptNames.size(), total, ByteUnits.size(keptBytes),
          keptNames.isEmpty() ? "" : ": " + String.join(", ", keptNames.stream().sorted().toList()), total - keptNames.size()));
    }
    return new KeptShards(placement.without(keptPaths), pieces, anyRecord);
  }

  /** Why the shard {@code f} cannot be kept on the strength of {@code record}, or null when its bytes are worth checking. */
  private static String problem(OutputStore store, String identity, ShardFile f, ShardRecord record,
      List<PlacedPiece> planned) throws IOException {
    if (!identity.equals(record.identity())) {
      return "it was written by a different conversion (" + ConversionIdentity.describe(record.identity())
          + "; the quarry version, an input file or an option differs)";
    }
    String name = new Path(f.path()).getName();
    if (!name.equals(record.shard()) || record.length() != f.length() || record.pieces().size() != planned.size()) {
      return "its record describes another layout";
    }
    for (int k = 0; k < planned.size(); k++) {
      ShardRecord.Entry e = record.pieces().get(k);
      if (e.position() != planned.get(k).position() || e.length() != planned.get(k).piece().length()) {
        return "its record describes another layout";
      }
    }
    Path path = new Path(f.path());
    if (!store.fs().exists(path)) {
      return "the file is missing";
    }
    FileStatus status = store.fs().getFileStatus(path);
    if (status.getLen() != f.length()) {
      return "it holds " + status.getLen() + " bytes, its record says " + f.length();
    }
    return null;
  }
}
