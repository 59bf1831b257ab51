package dev.quarry.quantize;

import dev.quarry.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The bytes of one output tensor, streamed into the writer through a caller-owned scratch buffer. */
interface ByteSource {
  long length();

  /** Writes all {@link #length()} bytes, in pieces no larger than {@code scratch}'s capacity. */
  void writeTo(SafetensorsWriter out, ByteBuffer scratch) throws IOException;
}
