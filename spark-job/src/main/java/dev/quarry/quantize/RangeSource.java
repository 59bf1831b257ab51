package dev.quarry.quantize;

import dev.quarry.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A byte range of something that supports positioned reads: an input tensor, or staged output. */
record RangeSource(PositionedReader reader, long start, long length) implements ByteSource {

  /** Reads {@code dst.remaining()} bytes at {@code position} into {@code dst}, advancing it. */
  @FunctionalInterface
  interface PositionedReader {
    void read(long position, ByteBuffer dst) throws IOException;
  }

  @Override
  public void writeTo(SafetensorsWriter out, ByteBuffer scratch) throws IOException {
    long done = 0;
    while (done < length) {
      scratch.clear();
      scratch.limit((int) Math.min(scratch.capacity(), length - done));
      reader.read(start + done, scratch);
      scratch.flip();
      done += scratch.remaining();
      out.write(scratch);
    }
  }
}
