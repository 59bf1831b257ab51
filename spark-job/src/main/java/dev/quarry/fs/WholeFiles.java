package dev.quarry.fs;

import java.io.IOException;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * Files that appear whole or not at all. On an object store (S3A) a file written is an upload that
 * becomes visible when the stream closes, and an aborted stream leaves nothing behind; elsewhere a file
 * is visible while it is written, so it is written under a temporary name and renamed.
 */
public final class WholeFiles {
  private WholeFiles() {}

  /** Whether a file written under {@code dir} appears only when complete, and a failed write can be undone. */
  public static boolean writesAppearWhole(FileSystem fs, Path dir) throws IOException {
    return fs.hasPathCapability(dir, CommonPathCapabilities.ABORTABLE_STREAM);
  }

  /**
   * After a failed write: aborts the upload where the stream can, so that closing it does not publish
   * the part written (elsewhere the file is a temporary one that nothing will rename into place).
   */
  public static void abandon(FSDataOutputStream out) {
    if (out.hasCapability(StreamCapabilities.ABORTABLE_STREAM)) {
      out.abort();
    }
  }
}
