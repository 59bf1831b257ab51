package dev.quarry.torch;

import dev.quarry.safetensors.CheckpointFormatException;
import dev.quarry.safetensors.TensorEntry;
import java.util.List;

/**
 * Where a pickled tensor's bytes lie in its storage record: its first byte in the file and its
 * length, and whether it is a column-major matrix. quarry reads tensors by byte range, so a view
 * must cover one run of its storage: row-major (contiguous, as torch defines it) or, for a matrix,
 * column-major (its bytes are its transpose's, which the planner quantizes transposed). Any other
 * strides are refused.
 */
record StoredTensor(PickledTensor tensor, long position, long byteSize, boolean columnMajor) {

  static StoredTensor of(String file, String name, PickledTensor t, ZipRecord data) throws CheckpointFormatException {
    PickledStorage s = t.storage();
    int elementBytes = s.dtype().byteSize();
    long elements;
    long storageBytes;
    long lastElement = t.storageOffset();
    try {
      elements = TensorEntry.elementCount(t.size());
      storageBytes = Math.multiplyExact(s.numel(), (long) elementBytes);
      for (int i = 0; i < t.size().size(); i++) {
        if (t.size().get(i) > 0) {
          lastElement = Math.addExact(lastElement, Math.multiplyExact(t.size().get(i) - 1, t.stride().get(i)));
        }
      }
    } catch (ArithmeticException e) {
      throw new CheckpointFormatException(file, name, "size " + t.size() + " with strides " + t.stride()
          + " overflows 64 bits");
    }
    if (storageBytes != data.size()) {
      throw new CheckpointFormatException(file, name, "its storage record " + data.name() + " holds " + data.size()
          + " bytes, its pickle says " + s.numel() + " elements of " + s.dtype() + " (" + storageBytes + " bytes)");
    }
    if (elements == 0) {
      return new StoredTensor(t, data.dataOffset(), 0, false);
    }
    if (lastElement >= s.numel()) {
      throw new CheckpointFormatException(file, name, "size " + t.size() + ", strides " + t.stride()
          + " and storage offset " + t.storageOffset() + " reach element " + lastElement + " of a storage of "
          + s.numel() + " elements");
    }
    boolean columnMajor = !rowMajor(t.size(), t.stride());
    if (columnMajor && !columnMajor(t.size(), t.stride())) {
      throw new CheckpointFormatException(file, name, "strides " + t.stride() + " of size " + t.size()
          + " are neither row-major (contiguous) nor those of a column-major matrix; quarry reads a tensor as one"
          + " run of bytes: save it with .contiguous()");
    }
    return new StoredTensor(t, data.dataOffset() + t.storageOffset() * elementBytes, elements * elementBytes,
        columnMajor);
  }

  /** torch's is_contiguous: each dimension's stride is the product of the later sizes (dimensions of size 1 aside). */
  private static boolean rowMajor(List<Long> size, List<Long> stride) {
    long expected = 1;
    for (int i = size.size() - 1; i >= 0; i--) {
      if (size.get(i) != 1) {
        if (stride.get(i) != expected) {
          return false;
        }
        expected *= size.get(i);
      }
    }
    return true;
  }

  /** A matrix [r, c] with strides (1, r): its transpose, row-major (a row-major matrix with a size of 1 aside). */
  private static boolean columnMajor(List<Long> size, List<Long> stride) {
    return size.size() == 2 && stride.get(0) == 1 && stride.get(1).equals(size.get(0));
  }
}
