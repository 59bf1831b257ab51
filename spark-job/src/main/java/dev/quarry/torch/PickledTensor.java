package dev.quarry.torch;

import java.util.List;

/** A tensor as {@code torch._utils._rebuild_tensor_v2} would rebuild it: a view of a storage. */
record PickledTensor(PickledStorage storage, long storageOffset, List<Long> size, List<Long> stride) {
  PickledTensor {
    size = List.copyOf(size);
    stride = List.copyOf(stride);
  }
}
