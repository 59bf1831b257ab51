package dev.quarry.torch;

import java.io.EOFException;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;

/** A file held in memory, for fuzzing the reader without writing each input to disk. */
final class BytesFileStream extends FSInputStream {
  private final byte[] bytes;
  private int pos;

  private BytesFileStream(byte[] bytes) {
    this.bytes = bytes;
  }

  static FSDataInputStream open(byte[] bytes) {
    return new FSDataInputStream(new BytesFileStream(bytes));
  }

  @Override
  public void seek(long position) throws IOException {
    if (position < 0 || position > bytes.length) {
      throw new EOFException("seek to " + position + " outside " + bytes.length + " bytes");
    }
    pos = (int) position;
  }

  @Override
  public long getPos() {
    return pos;
  }

  @Override
  public boolean seekToNewSource(long targetPos) {
    return false;
  }

  @Override
  public int read() {
    return pos < bytes.length ? bytes[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (pos >= bytes.length) {
      return -1;
    }
    int n = Math.min(len, bytes.length - pos);
    System.arraycopy(bytes, pos, b, off, n);
    pos += n;
    return n;
  }
}
