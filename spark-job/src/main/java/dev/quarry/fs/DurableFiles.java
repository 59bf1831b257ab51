package dev.quarry.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Makes what was written survive a crash before {@code _SUCCESS} claims it. On a local or mounted
 * file system a closed file's data may still be only in the page cache: it is forced to the disk
 * (fsync), and so is the directory that names it. Elsewhere the streams do it as they close: HDFS's
 * on {@code hsync} ({@link NamedOutputStream}), an S3A object is durable when its upload completes.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /**
   * Forces a file's data and metadata, or a directory's entries (the names of the files just
   * synced), to the disk, where the file system is local.
   */
  public static void sync(FileSystem fs, Path path) throws IOException {
    if (!(fs instanceof RawLocalFileSystem local)) {
      return;
    }
    // Reading is enough to fsync a file or (on Linux) a directory, as Lucene's IOUtils.fsync does.
    try (FileChannel channel = FileChannel.open(local.pathToFile(path).toPath(), StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      throw new IOException(path + ": cannot force it to the disk: " + e.getMessage(), e);
    }
  }
}
