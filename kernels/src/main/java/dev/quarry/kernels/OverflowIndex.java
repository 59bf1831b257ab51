package dev.quarry.kernels;

/** Rebases the element index of a kernel's overflow error from the chunk to the whole call. */
final class OverflowIndex {
  private OverflowIndex() {
  }

  static Float16OverflowException shift(Float16OverflowException chunkError, long chunkStart) {
    Float16OverflowException callError = new Float16OverflowException(chunkError.elementIndex() + chunkStart, chunkError.value());
    callError.initCause(chunkError);
    return callError;
  }
}
