package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads one tensor in consecutive chunks of at most {@code chunkElements} elements into a single
 * reused buffer, and rejects NaN and ±inf ({@link NonFiniteValues}).
 */
final class TensorChunkReader {
  private final SafetensorsFile file;
  private final TensorEntry tensor;
  private final ElementType type;
  private final ByteBuffer buffer;
  private final long elementCount;
  private long next;
  private long chunkStart;

  TensorChunkReader(SafetensorsFile file, TensorEntry tensor, ElementType type, long chunkElements) {
    this.file = file;
    this.tensor = tensor;
    this.type = type;
    this.elementCount = tensor.elementCount();
    int capacity = Math.toIntExact(Math.min(chunkElements, elementCount) * type.byteSize());
    this.buffer = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The next chunk (position 0, limit = its bytes), or null after the last one. */
  ByteBuffer next() throws IOException {
    if (next >= elementCount) {
      return null;
    }
    long count = Math.min(buffer.capacity() / type.byteSize(), elementCount - next);
    buffer.clear();
    buffer.limit((int) (count * type.byteSize()));
    file.read(tensor, next * type.byteSize(), buffer);
    buffer.flip();
    chunkStart = next;
    next += count;
    NonFiniteValues.check(buffer, type, file.name(), tensor.name(), chunkStart);
    return buffer;
  }

  /** Index (in the tensor) of the first element of the chunk last returned. */
  long chunkStart() {
    return chunkStart;
  }
}
