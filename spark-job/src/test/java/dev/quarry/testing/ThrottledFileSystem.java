package dev.quarry.testing;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;

/**
 * The local disk as {@code throttled://<millis>ms/<absolute path>}, where every positioned read of
 * at least 64 KiB (tensor data, not the small header reads) first sleeps {@code millis}: a slow
 * store that stretches a conversion's quantize stage so a test can kill a process in the middle of
 * it.
 */
public final class ThrottledFileSystem extends LocalDiskUnderScheme {
  public static final String SCHEME = "throttled";
  private static final int SLOW_READ_BYTES = 64 << 10;

  private long millis;

  public static String uri(long millis, java.nio.file.Path local) {
    return SCHEME + "://" + millis + "ms" + local.toAbsolutePath();
  }

  public ThrottledFileSystem() {
    super(SCHEME);
  }

  @Override
  void configure(String authority) {
    this.millis = Long.parseLong(authority.replace("ms", ""));
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream in = super.open(f, bufferSize);
    return new FSDataInputStream(new FSInputStream() {
      @Override
      public int read(long position, byte[] buffer, int offset, int length) throws IOException {
        if (length >= SLOW_READ_BYTES) {
          try {
            Thread.sleep(millis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
        return in.read(position, buffer, offset, length);
      }

      @Override
      public void seek(long pos) throws IOException {
        in.seek(pos);
      }

      @Override
      public long getPos() throws IOException {
        return in.getPos();
      }

      @Override
      public boolean seekToNewSource(long targetPos) throws IOException {
        return in.seekToNewSource(targetPos);
      }

      @Override
      public int read() throws IOException {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    });
  }
}
