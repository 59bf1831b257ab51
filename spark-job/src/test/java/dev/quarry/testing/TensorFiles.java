package dev.quarry.testing;

import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** A safetensors file opened for tests, with whole-tensor reads (test data is small). */
public final class TensorFiles implements Closeable {
  private final SafetensorsFile file;

  public TensorFiles(Path path) throws IOException {
    this.file = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(path));
  }

  public SafetensorsFile file() {
    return file;
  }

  public TensorEntry entry(String name) {
    return file.header().tensor(name);
  }

  public byte[] bytes(String name) throws IOException {
    return buffer(name).array();
  }

  /** The tensor's bytes as a little-endian buffer at position 0. */
  public ByteBuffer buffer(String name) throws IOException {
    TensorEntry t = entry(name);
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    file.read(t, 0, b);
    return b.flip();
  }

  public float[] floats(String name) throws IOException {
    ByteBuffer b = buffer(name);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
