package dev.quarry.safetensors;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Streams a safetensors file: the header of a {@link SafetensorsLayout} first, then the tensors'
 * bytes in layout order, in pieces of any size. It checks that each tensor gets exactly its byte
 * count and that the writer moves on only to the tensor the layout names next.
 */
public final class SafetensorsWriter implements Closeable {
  private final OutputStream out;
  private final List<TensorEntry> tensors;
  private int current = -1;
  private long writtenInCurrent;

  /** Writes the length prefix and header at once; {@code out} is closed by {@link #close()}. */
  public SafetensorsWriter(OutputStream out, SafetensorsLayout layout) throws IOException {
    this.out = out;
    this.tensors = layout.tensors();
    out.write(layout.fileStart());
  }

  /** Starts the next tensor, which must be {@code name}; the previous one must be complete. */
  public void beginTensor(String name) {
    checkCurrentComplete();
    if (current + 1 >= tensors.size() || !tensors.get(current + 1).name().equals(name)) {
      String expected = current + 1 < tensors.size() ? "'" + tensors.get(current + 1).name() + "'" : "no more tensors";
      throw new IllegalStateException("tensor '" + name + "' written out of layout order: expected " + expected);
    }
    current++;
    writtenInCurrent = 0;
  }

  /** Appends the buffer's remaining bytes (heap buffer) to the current tensor; advances its position. */
  public void write(ByteBuffer src) throws IOException {
    if (current < 0) {
      throw new IllegalStateException("write before beginTensor");
    }
    TensorEntry t = tensors.get(current);
    int n = src.remaining();
    if (writtenInCurrent + n > t.byteSize()) {
      throw new IllegalStateException("tensor '" + t.name() + "' gets more than its " + t.byteSize() + " bytes");
    }
    out.write(src.array(), src.arrayOffset() + src.position(), n);
    src.position(src.position() + n);
    writtenInCurrent += n;
  }

  /** Appends bytes to the current tensor. */
  public void write(byte[] bytes) throws IOException {
    write(ByteBuffer.wrap(bytes));
  }

  /** Checks that every tensor was written completely; {@link #close()} alone does not commit anything. */
  public void finish() throws IOException {
    checkCurrentComplete();
    if (current != tensors.size() - 1) {
      throw new IllegalStateException("only " + (current + 1) + " of " + tensors.size() + " tensors written");
    }
    out.flush();
  }

  private void checkCurrentComplete() {
    if (current >= 0 && writtenInCurrent != tensors.get(current).byteSize()) {
      TensorEntry t = tensors.get(current);
      throw new IllegalStateException("tensor '" + t.name() + "' got " + writtenInCurrent + " of " + t.byteSize() + " bytes");
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
