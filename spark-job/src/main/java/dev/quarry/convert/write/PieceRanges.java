package dev.quarry.convert.write;

import dev.quarry.convert.plan.Piece;
import dev.quarry.quality.ErrorStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.util.CrcComposer;
import org.apache.hadoop.util.CrcUtil;
import org.apache.hadoop.util.DataChecksum;

/**
 * Each piece as the parts wrote it, from the ranges of it they wrote (a piece that straddles a cut
 * between two parts was written by both): its CRC32C composed from the ranges' in order
 * ({@link CrcComposer}, as the commit composes a tensor's), its block's error from the range
 * at its start, and the executor that wrote that range.
 */
final class PieceRanges {
  private PieceRanges() {}

  static List<WrittenPiece> compose(List<PutPart> parts) {
    record Range(WrittenRange range, String executor) {}
    Map<Piece, List<Range>> byPiece = new LinkedHashMap<>();
    for (PutPart part : parts) {
      for (WrittenRange r : part.ranges()) {
        byPiece.computeIfAbsent(r.piece(), p -> new ArrayList<>()).add(new Range(r, part.executor()));
      }
    }
    List<WrittenPiece> pieces = new ArrayList<>();
    for (Map.Entry<Piece, List<Range>> e : byPiece.entrySet()) {
      Piece piece = e.getKey();
      List<Range> ranges = e.getValue();
      ranges.sort(Comparator.comparingLong(r -> r.range().from()));
      CrcComposer composer = CrcComposer.newCrcComposer(DataChecksum.Type.CRC32C, Long.MAX_VALUE);
      ErrorStats errors = null;
      long at = 0;
      for (Range r : ranges) {
        if (r.range().from() != at) {
          throw new IllegalStateException("the parts wrote a piece of " + piece.length() + " bytes from byte "
              + r.range().from() + " on after its first " + at + " bytes");
        }
        composer.update((int) r.range().crc32c(), r.range().length());
        errors = r.range().errors() != null ? r.range().errors() : errors;
        at += r.range().length();
      }
      if (at != piece.length()) {
        throw new IllegalStateException("the parts wrote " + at + " bytes of a piece of " + piece.length());
      }
      long crc = ranges.size() == 1 ? ranges.get(0).range().crc32c()
          : Integer.toUnsignedLong(CrcUtil.readInt(composer.digest(), 0));
      pieces.add(new WrittenPiece(piece, crc, errors, ranges.get(0).executor()));
    }
    return pieces;
  }
}
