package dev.quarry.convert;

import dev.quarry.convert.UploadPart.PartPiece;
import dev.quarry.fs.WholeFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The parts of every shard's multipart upload, cut from the planned layout at fixed byte offsets:
 * part k of a shard is its bytes {@code [k * size, (k + 1) * size)}, whatever pieces lie there, so
 * the cuts, and with them every part's bytes, follow from the layout and the part size alone (never
 * from the partitioning or the executors). A block whose sections straddle a cut, or lie in different
 * parts (a tensor's codes, then its absmax after all of its codes), is computed by each part that holds
 * some of its bytes.
 */
final class ShardParts {
  /** S3's smallest part but the last. */
  static final long MIN_OBJECT_STORE_PART = 5L << 20;
  /** S3's most parts in one upload. */
  static final int MAX_PARTS = 10_000;
  /** S3A's own part size setting (its output streams use it), and its default. */
  static final String S3A_PART_SIZE = "fs.s3a.multipart.size";
  private static final long S3A_DEFAULT_PART = 64L << 20;

  private ShardParts() {}

  /**
   * The part size for shards under {@code dir}. On a file system that shows a file while it is written
   * (HDFS) the parts are joined by {@code concat}, which keeps each part's blocks: a part of the output's
   * block size fills whole blocks, so the joined shard has no partial block but its last. On an object
   * store: S3A's own part size, never below S3's minimum.
   */
  static long partBytes(FileSystem fs, Path dir) throws IOException {
    if (!WholeFiles.writesAppearWhole(fs, dir)) {
      return fs.getDefaultBlockSize(dir);
    }
    return Math.max(MIN_OBJECT_STORE_PART, fs.getConf().getLongBytes(S3A_PART_SIZE, S3A_DEFAULT_PART));
  }

  /**
   * @param partBytes the size of every part but a shard's last (raised where a shard would need more
   *                  than {@value #MAX_PARTS} parts)
   * @param uploads   each shard's upload handle, by its path
   */
  static List<UploadPart> of(ShardPlacement placement, long partBytes, Map<String, byte[]> uploads) {
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
      long size = Math.max(partBytes, ceilDiv(f.length(), MAX_PARTS));
      int count = (int) Math.max(1, ceilDiv(f.length(), size));
      int first = 0;
      for (int k = 0; k < count; k++) {
        long start = k * size;
        long end = Math.min(f.length(), start + size);
        while (pieces.get(first).end() <= start) {
          first++;
        }
        List<PartPiece> overlapping = new ArrayList<>();
        for (int i = first; i < pieces.size() && pieces.get(i).placed().position() < end; i++) {
          overlapping.add(pieces.get(i));
        }
        parts.add(new UploadPart(f.path(), uploads.get(f.path()), k + 1, k == count - 1, start, end - start, overlapping));
      }
    }
    return parts;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
