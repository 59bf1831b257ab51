package dev.quarry.convert.store;

import java.io.Serializable;
import org.apache.hadoop.fs.Path;

/**
 * Where an executor writes an output shard. On a file system with atomic rename: an attempt-unique
 * file in the staging area, which the driver renames into place. On an object store (S3): the final
 * name itself, because there a rename is a copy and a delete, and an object appears whole when its
 * upload completes or not at all (a failed attempt aborts its upload), so only {@code _SUCCESS}, written
 * last, needs to mark the output complete. Two attempts of one shard write the same bytes.
 *
 * @param directory    the staging directory, or the output directory when {@code finalNames}
 * @param finalNames   write straight to the shard's final name
 */
public record ShardDestination(String directory, boolean finalNames) implements Serializable {
  private static final long serialVersionUID = 1L;

  public Path path(String fileName, long attemptId) {
    return new Path(directory, finalNames ? fileName : fileName + ".attempt-" + attemptId);
  }
}
