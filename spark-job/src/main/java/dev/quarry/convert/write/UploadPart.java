package dev.quarry.convert.write;

import java.io.Serializable;
import java.util.List;

/**
 * One part of a shard's multipart upload, put by one task: the contiguous byte range
 * {@code [start, start + length)} of the shard and every piece that overlaps it (a piece may begin
 * in the part before or end in the next; the part holds only its own bytes of it).
 *
 * @param shard  the shard's final path (URI string)
 * @param upload the bytes of the shard's upload handle, as the driver's {@code startUpload} gave them
 * @param number the part number, 1 for the part at the start of the shard
 * @param last   whether this is the shard's last part (the only one allowed below the minimum size)
 * @param pieces the overlapping pieces in file order, each with its unit when a block computes it
 */
public record UploadPart(String shard, byte[] upload, int number, boolean last, long start, long length,
    List<PartPiece> pieces) implements Serializable {
  private static final long serialVersionUID = 1L;

  public UploadPart {
    pieces = List.copyOf(pieces);
  }

  long end() {
    return start + length;
  }

  /** A planned piece of the shard and, for a block's section, the unit whose block computes it (else null). */
  record PartPiece(PlacedPiece placed, WriteUnit unit) implements Serializable {
    private static final long serialVersionUID = 1L;

    long end() {
      return placed.position() + placed.piece().length();
    }
  }
}
