package dev.quarry.testing;

import java.io.EOFException;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;

/**
 * A file of {@code length} bytes in memory: {@code head}, then zeros. Lets a fuzz test present a
 * header with the data section a real shard has behind it, without writing that data anywhere, or
 * read a whole small file ({@link #of}) without writing each input to disk.
 */
public final class VirtualFileStream extends FSInputStream {
  private final byte[] head;
  private final long length;
  private long pos;

  public VirtualFileStream(byte[] head, long length) {
    this.head = head;
    this.length = length;
  }

  /** A stream over exactly {@code bytes}. */
  public static FSDataInputStream of(byte[] bytes) {
    return new FSDataInputStream(new VirtualFileStream(bytes, bytes.length));
  }

  @Override
  public void seek(long position) throws IOException {
    if (position < 0 || position > length) {
      throw new EOFException("seek to " + position + " outside " + length + " bytes");
    }
    pos = position;
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
    if (pos >= length) {
      return -1;
    }
    int b = pos < head.length ? head[(int) pos] & 0xff : 0;
    pos++;
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (pos >= length) {
      return len == 0 ? 0 : -1;
    }
    int n = (int) Math.min(len, length - pos);
    for (int i = 0; i < n; i++) {
      b[off + i] = pos + i < head.length ? head[(int) (pos + i)] : 0;
    }
    pos += n;
    return n;
  }
}
