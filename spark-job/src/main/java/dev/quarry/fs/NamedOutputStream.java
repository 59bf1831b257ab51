package dev.quarry.fs;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * An output file whose write, flush and close failures name the file: a full disk or a failing
 * store says only "No space left on device", and the one error line quarry prints must say where.
 */
public final class NamedOutputStream extends FilterOutputStream {
  private final Path path;
  private boolean closed;

  private NamedOutputStream(OutputStream out, Path path) {
    super(out);
    this.path = path;
  }

  /** {@code fs.create(path, overwrite)}, its failures naming {@code path}. */
  public static OutputStream create(FileSystem fs, Path path, boolean overwrite) throws IOException {
    return wrap(createData(fs, path, overwrite), path);
  }

  /**
   * The file system's own stream (a caller that may have to abort it needs that one), created with
   * a failure naming {@code path}; {@link #wrap} it for writes that do the same.
   */
  public static FSDataOutputStream createData(FileSystem fs, Path path, boolean overwrite) throws IOException {
    try {
      return fs.create(path, overwrite);
    } catch (IOException e) {
      throw named(path, e);
    }
  }

  /** {@code out}, its write, flush and close failures naming {@code path}. */
  public static OutputStream wrap(OutputStream out, Path path) {
    return new NamedOutputStream(out, path);
  }

  /** {@code e} with the path of the file it happened to. */
  public static IOException named(Path path, IOException e) {
    return new IOException(path + ": cannot write: " + e.getMessage(), e);
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      throw named(path, e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw named(path, e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw named(path, e);
    }
  }

  /**
   * Closes the file durably: a stream that can sync to the storage's disks (HDFS, a local file) is
   * synced first, so that a file closed before {@code _SUCCESS} is written survives a crash after it.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return; // a writer that closes its stream, inside a try-with-resources that closes it again
    }
    closed = true;
    try {
      if (out instanceof FSDataOutputStream data && data.hasCapability(StreamCapabilities.HSYNC)) {
        data.hsync();
      }
      out.close();
    } catch (IOException e) {
      throw named(path, e);
    }
  }
}
