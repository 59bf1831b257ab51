package dev.quarry.testing;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk as {@code failing://<name>-<N>/<absolute path>}: a disk that is full after
 * {@code N} bytes. Every byte written through one instance counts (Hadoop caches one instance per
 * authority, so a test picks a fresh name); the write that would pass {@code N} fails with "No space
 * left on device", as every later one does.
 */
public final class FailingFileSystem extends LocalDiskUnderScheme {
  public static final String SCHEME = "failing";

  private long budget;
  private final AtomicLong written = new AtomicLong();

  /** {@code failing://<name>-<bytes>} + the absolute local path. */
  public static String uri(String name, long bytes, java.nio.file.Path local) {
    return SCHEME + "://" + name + "-" + bytes + local.toAbsolutePath();
  }

  public FailingFileSystem() {
    super(SCHEME);
  }

  @Override
  void configure(String authority) {
    this.budget = Long.parseLong(authority.substring(authority.lastIndexOf('-') + 1));
  }

  /** Bytes written so far through this instance. */
  public long written() {
    return written.get();
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    return counted(super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    return counted(super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream counted(FSDataOutputStream out) throws IOException {
    return new FSDataOutputStream(new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (written.addAndGet(len) > budget) {
          throw new IOException("No space left on device");
        }
        out.write(b, off, len);
      }
    }, null);
  }
}
