package dev.quarry.fs;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Positioned writes into files of a local or shared (mounted) file system, which Hadoop's
 * {@link FileSystem} cannot do: a file is created at its final length by the driver, then any number
 * of tasks, on any executor that mounts it, write their byte ranges at their positions. Writing the
 * same bytes twice (a retried or speculative task) leaves the same file. Tasks do not force their
 * writes to the disk: that would hold a core idle while the disk catches up; the driver forces the
 * files while the tasks run and at commit ({@link BackgroundSync}).
 */
public final class PositionedFiles implements AutoCloseable {
  private final Map<String, FileChannel> open = new LinkedHashMap<>();

  /** Whether files under {@code dir} are on a file system this class can write (Hadoop's {@code file:}). */
  public static boolean supports(FileSystem fs) {
    return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
  }

  /** Creates (or truncates) the file at {@code path} with {@code length} bytes, all zero until written. */
  public static void create(String path, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file(path), "rw")) {
      f.setLength(0);
      f.setLength(length);
    } catch (IOException e) {
      throw NamedOutputStream.named(new Path(path), e);
    }
  }

  /** Writes the buffer's remaining bytes at {@code position} of the file at {@code path} (URI string). */
  public void write(String path, long position, ByteBuffer bytes) throws IOException {
    try {
      FileChannel channel = open.get(path);
      if (channel == null) {
        channel = FileChannel.open(file(path).toPath(), StandardOpenOption.WRITE);
        open.put(path, channel);
      }
      for (long at = position; bytes.hasRemaining(); ) {
        at += channel.write(bytes, at);
      }
    } catch (IOException e) {
      throw NamedOutputStream.named(new Path(path), e);
    }
  }

  /** Closes every file written. */
  @Override
  public void close() throws IOException {
    IOException failed = null;
    for (Map.Entry<String, FileChannel> e : open.entrySet()) {
      try {
        e.getValue().close();
      } catch (IOException x) {
        failed = failed == null ? NamedOutputStream.named(new Path(e.getKey()), x) : failed;
      }
    }
    open.clear();
    if (failed != null) {
      throw failed;
    }
  }

  private static File file(String path) {
    return new File(new Path(path).toUri().getPath());
  }
}
