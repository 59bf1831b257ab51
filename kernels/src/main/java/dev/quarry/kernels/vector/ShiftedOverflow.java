package dev.quarry.kernels.vector;

import dev.quarry.kernels.Float16OverflowException;

/**
 * Overflow errors of a scalar call made on a piece of the caller's input carry indices relative
 * to that piece; the caller reports them relative to its own input.
 */
final class ShiftedOverflow {
  private ShiftedOverflow() {}

  static Float16OverflowException of(Float16OverflowException pieceError, long pieceStart) {
    Float16OverflowException shifted =
        new Float16OverflowException(pieceStart + pieceError.elementIndex(), pieceError.value());
    shifted.initCause(pieceError);
    return shifted;
  }
}
