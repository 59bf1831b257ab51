package dev.quarry.convert.write;

import dev.quarry.convert.plan.Piece;
import java.io.Serializable;

/** A piece of an output tensor at its final place: the shard file (URI string) and the byte position in it. */
public record PlacedPiece(Piece piece, String file, long position) implements Serializable {
  private static final long serialVersionUID = 1L;
}
