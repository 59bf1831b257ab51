package dev.quarry.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Hadoop {@link FileSystem} for a path (local, hdfs://, s3a://). For local paths it is the raw
 * local file system (Hadoop's default local one writes a {@code .crc} side file next to every file,
 * which does not belong in a model directory), in its {@link ForkFreeLocalFileSystem} form.
 */
public final class FileSystems {
  private static volatile FileSystem local;

  private FileSystems() {}

  public static FileSystem forPath(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem ? local(conf) : fs;
  }

  /** One instance per JVM, like Hadoop's own cache of file systems: the local one holds no per-user state. */
  private static FileSystem local(Configuration conf) throws IOException {
    FileSystem fs = local;
    if (fs == null) {
      synchronized (FileSystems.class) {
        if (local == null) {
          FileSystem created = new ForkFreeLocalFileSystem();
          created.initialize(URI.create("file:///"), conf);
          local = created;
        }
        fs = local;
      }
    }
    return fs;
  }

  /** {@link #forPath(Path, Configuration)} with {@link HadoopConfigurations#current()}. */
  public static FileSystem forPath(Path path) throws IOException {
    return forPath(path, HadoopConfigurations.current());
  }

  /** Opens a file named by a URI string; for lambdas (e.g. a cache of open files), I/O errors come unchecked. */
  public static FSDataInputStream openUnchecked(String file) {
    try {
      Path path = new Path(file);
      return forPath(path).open(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Moves a finished temporary file onto {@code target}. Replacing an existing target is a delete
   * then a rename (not atomic on every file system; on a local disk the rename alone replaces it).
   */
  public static void commit(FileSystem fs, Path temporary, Path target) throws IOException {
    if (fs.exists(target) && !fs.delete(target, false)) {
      throw new IOException(target + ": cannot replace the existing file");
    }
    if (!fs.rename(temporary, target)) {
      throw new IOException(target + ": cannot rename " + temporary + " to it");
    }
  }
}
