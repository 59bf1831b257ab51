package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads one tensor in consecutive chunks of at most {@code chunkElements} elements into a single
 * reused buffer, and rejects NaN and ±inf (naming the element) before any kernel sees them: the GPU
 * would silently turn them into garbage codes.
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
    checkFinite();
    return buffer;
  }

  /** Index (in the tensor) of the first element of the chunk last returned. */
  long chunkStart() {
    return chunkStart;
  }

  private void checkFinite() throws InvalidTensorValueException {
    int n = buffer.remaining() / type.byteSize();
    for (int i = 0; i < n; i++) {
      String kind = nonFiniteKind(i);
      if (kind != null) {
        throw new InvalidTensorValueException(file.name(), tensor.name(), kind + " at element " + (chunkStart + i));
      }
    }
  }

  /** "NaN", "+inf" or "-inf" when element i has an all-ones exponent, else null. */
  private String nonFiniteKind(int i) {
    int bits;
    int exponent;
    int mantissa;
    switch (type) {
      case F32:
        bits = buffer.getInt(i * 4);
        exponent = 0x7f800000;
        mantissa = 0x007fffff;
        break;
      case BF16:
        bits = buffer.getShort(i * 2) << 16;
        exponent = 0x7f800000;
        mantissa = 0x007f0000;
        break;
      case F16:
        bits = buffer.getShort(i * 2) << 16;
        exponent = 0x7c000000;
        mantissa = 0x03ff0000;
        break;
      default:
        throw new AssertionError(type);
    }
    if ((bits & exponent) != exponent) {
      return null;
    }
    return (bits & mantissa) != 0 ? "NaN" : bits < 0 ? "-inf" : "+inf";
  }
}
