package dev.quarry.quantize;

import dev.quarry.fs.NamedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An append-only scratch file for quantized pieces. It exists because safetensors orders tensors by
 * dtype (float32 absmax before the uint8 codes computed with it, and the header needs every size
 * first): quantization appends its results here in computation order, and assembly then copies
 * them into the output in file order. Written first, then read; deleted on close.
 */
final class StagingFile implements Closeable {
  private final FileSystem fs;
  private final Path path;
  private FSDataOutputStream out;
  private FSDataInputStream in;

  StagingFile(FileSystem fs, Path path) throws IOException {
    this.fs = fs;
    this.path = path;
    this.out = fs.create(path, false);
  }

  long position() throws IOException {
    return out.getPos();
  }

  /** Appends the buffer's remaining bytes (heap buffer) and advances its position. */
  void append(ByteBuffer src) throws IOException {
    if (out == null) {
      throw new IllegalStateException("staging file already sealed for reading");
    }
    try {
      out.write(src.array(), src.arrayOffset() + src.position(), src.remaining());
    } catch (IOException e) {
      throw NamedOutputStream.named(path, e);
    }
    src.position(src.limit());
  }

  /** The bytes appended since {@code start}, as a source readable once staging is complete. */
  RangeSource rangeFrom(long start) throws IOException {
    return new RangeSource(this::read, start, position() - start);
  }

  /** Appends {@code src} and returns it as a range. */
  RangeSource stage(ByteBuffer src) throws IOException {
    long start = position();
    append(src);
    return rangeFrom(start);
  }

  private void read(long position, ByteBuffer dst) throws IOException {
    if (in == null) {
      out.close();
      out = null;
      in = fs.open(path);
    }
    int n = dst.remaining();
    in.readFully(position, dst.array(), dst.arrayOffset() + dst.position(), n);
    dst.position(dst.position() + n);
  }

  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.close();
      }
      if (in != null) {
        in.close();
      }
    } finally {
      fs.delete(path, false);
    }
  }
}
