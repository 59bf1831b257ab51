package dev.quarry.convert.write;

import dev.quarry.convert.write.UploadPart.PartPiece;
import dev.quarry.fs.WholeFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The parts of every shard's multipart upload: contiguous byte ranges of the planned layout, each at
 * least the part size but the shard's last, cut from the layout and the part size alone (never from the
 * partitioning or the executors). A part runs from the part size on to the first place, up to twice the
 * part size, where no block has bytes on both sides (anywhere inside a copied tensor between blocks,
 * or after the last piece of every block begun); failing that, at the last piece boundary in reach.
 * A block whose pieces lie in several parts is computed by each: a tensor's codes cut between blocks,
 * and above all the float32 constants, which safetensors' dtype-then-name order puts together at the
 * shard's start, apart from every weight's codes (docs/performance.md gives the cost).
 */
public final class ShardParts {
  /** S3's smallest part but the last. */
  public static final long MIN_OBJECT_STORE_PART = 5L << 20;
  /** S3's most parts in one upload. */
  static final int MAX_PARTS = 10_000;
  /** The largest part built in memory (an object store's: {@link PartWriter}), whatever the setting. */
  static final long MAX_OBJECT_STORE_PART = 256L << 20;
  /** S3A's own part size setting (its output streams use it), and its default. */
  public static final String S3A_PART_SIZE = "fs.s3a.multipart.size";
  private static final long S3A_DEFAULT_PART = 64L << 20;

  private ShardParts() {}

  /**
   * The part size for shards under {@code dir}. On a file system that shows a file while it is written
   * (HDFS) the parts are joined by {@code concat}, which keeps each part's blocks: a part of the output's
   * block size fills whole blocks, so the joined shard has no partial block but its last. On an object
   * store: S3A's own part size, never below S3's minimum nor above {@value #MAX_OBJECT_STORE_PART}
   * bytes, since each task computes its part in memory before sending it.
   */
  static long partBytes(FileSystem fs, Path dir) throws IOException {
    if (!WholeFiles.writesAppearWhole(fs, dir)) {
      return fs.getDefaultBlockSize(dir);
    }
    long configured = fs.getConf().getLongBytes(S3A_PART_SIZE, S3A_DEFAULT_PART);
    return Math.max(MIN_OBJECT_STORE_PART, Math.min(MAX_OBJECT_STORE_PART, configured));
  }

  /**
   * @param partBytes the least size of every part but a shard's last (raised where a shard would need
   *                  more than {@value #MAX_PARTS} parts); a part holds at most twice as much
   * @param uploads   each shard's upload handle, by its path
   */
  public static List<UploadPart> of(ShardPlacement placement, long partBytes, Map<String, byte[]> uploads) {
    Map<String, List<PartPiece>> byFile = new HashMap<>();
    for (ShardFile f : placement.files()) {
      List<PartPiece> pieces = new ArrayList<>();
      f.fixed().forEach(p -> pieces.add(new PartPiece(p, null)));
      byFile.put(f.path(), pieces);
    }
    for (WriteUnit u : placement.units()) {
      for (PlacedPiece p : u.pieces()) {
        byFile.get(p.file()).add(new PartPiece(p, u.block() == null ? null : u));
      }
    }
    List<UploadPart> parts = new ArrayList<>();
    for (ShardFile f : placement.files()) {
      List<PartPiece> pieces = byFile.get(f.path());
      pieces.removeIf(p -> p.placed().piece().length() == 0);
      pieces.sort(Comparator.comparingLong(p -> p.placed().position()));
      long least = Math.max(partBytes, ceilDiv(f.length(), MAX_PARTS));
      List<Long> cuts = cuts(pieces, f.length(), least);
      int first = 0;
      for (int k = 0; k + 1 < cuts.size(); k++) {
        long start = cuts.get(k);
        long end = cuts.get(k + 1);
        while (pieces.get(first).end() <= start) {
          first++;
        }
        List<PartPiece> overlapping = new ArrayList<>();
        for (int i = first; i < pieces.size() && pieces.get(i).placed().position() < end; i++) {
          overlapping.add(pieces.get(i));
        }
        parts.add(new UploadPart(f.path(), uploads.get(f.path()), k + 1, k + 2 == cuts.size(), start, end - start,
            overlapping));
      }
    }
    return parts;
  }

  /** The parts' bounds in the shard, 0 and its length included: see the class comment. */
  private static List<Long> cuts(List<PartPiece> pieces, long length, long least) {
    // where a cut splits no block: any byte of a piece no block computes (copied, inline) that lies
    // between blocks, and the end of a block's last piece when no other block is begun and unfinished
    Map<Integer, Integer> piecesLeft = new HashMap<>();
    for (PartPiece p : pieces) {
      if (p.unit() != null) {
        piecesLeft.merge(p.unit().block().blockId(), 1, Integer::sum);
      }
    }
    List<long[]> clean = new ArrayList<>();
    Set<Integer> begun = new HashSet<>();
    int open = 0;
    for (PartPiece p : pieces) {
      if (p.unit() == null) {
        if (open == 0) {
          clean.add(new long[] {p.placed().position(), p.end()});
        }
        continue;
      }
      int block = p.unit().block().blockId();
      if (begun.add(block)) {
        open++;
      }
      if (piecesLeft.merge(block, -1, Integer::sum) == 0) {
        open--;
      }
      if (open == 0) {
        clean.add(new long[] {p.end(), p.end()});
      }
    }
    List<Long> cuts = new ArrayList<>(List.of(0L));
    int nextClean = 0;
    int nextPiece = 0;
    long start = 0;
    while (length - start > least) {
      long from = start + least;
      long to = Math.min(length, start + 2 * least);
      while (nextClean < clean.size() && clean.get(nextClean)[1] < from) {
        nextClean++;
      }
      long cut = from; // inside a piece larger than the part size: its block is computed by both parts
      if (nextClean < clean.size() && clean.get(nextClean)[0] <= to) {
        cut = Math.max(clean.get(nextClean)[0], from);
      } else {
        while (nextPiece < pieces.size() && pieces.get(nextPiece).end() < from) {
          nextPiece++;
        }
        for (int i = nextPiece; i < pieces.size() && pieces.get(i).end() <= to; i++) {
          cut = pieces.get(i).end(); // the last piece boundary in reach: fewest blocks split
        }
      }
      if (cut >= length) {
        break;
      }
      cuts.add(cut);
      start = cut;
    }
    cuts.add(length);
    return cuts;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
