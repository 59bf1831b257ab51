package dev.quarry.convert.write;

import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.WholeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.BBPartHandle;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.MultipartUploader;
import org.apache.hadoop.fs.PartHandle;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UploadHandle;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * The driver's side of the shards' multipart uploads (Hadoop's {@link MultipartUploader}): one upload
 * started per shard before any task runs, each completed with the part handles the tasks returned as
 * soon as its last part is in (while other shards' parts are still put), each shard appearing whole at
 * its final name (S3A: the object; HDFS: the part files joined by
 * {@code concat} and renamed to it), or aborted, leaving no object, part or pending upload.
 */
final class ShardUploads implements AutoCloseable {
  private final MultipartUploader uploader;
  /**
   * The uploads started and neither completed nor aborted, by shard path (completed on the completion
   * thread of {@link ShardCompletions}, aborted by the driver's: guarded by itself).
   */
  private final Map<String, UploadHandle> open = new LinkedHashMap<>();

  private ShardUploads(MultipartUploader uploader) {
    this.uploader = uploader;
  }

  /**
   * Starts one upload per shard, after removing what a killed run left of its uploads: on S3 the
   * uploads pending under the output directory (an upload neither completed nor aborted keeps its parts,
   * and their cost, forever), on HDFS the directories of their parts.
   */
  static ShardUploads start(FileSystem fs, Path dir, List<ShardFile> files) throws IOException {
    MultipartUploader uploader;
    try {
      uploader = fs.createMultipartUploader(dir).build();
    } catch (UnsupportedOperationException e) {
      throw new IOException(dir + ": cannot write the output there: its file system (" + fs.getScheme()
          + ":) takes neither positioned writes nor multipart uploads; write to a local path, hdfs:// or s3a://");
    }
    ShardUploads uploads = new ShardUploads(uploader);
    try {
      if (WholeFiles.writesAppearWhole(fs, dir)) {
        FutureIO.awaitFuture(uploader.abortUploadsUnderPath(dir));
      } else {
        removeLeftoverParts(fs, dir);
      }
      for (ShardFile f : files) {
        uploads.open.put(f.path(), FutureIO.awaitFuture(uploader.startUpload(new Path(f.path()))));
      }
    } catch (IOException | RuntimeException e) {
      uploads.close();
      throw e;
    }
    return uploads;
  }

  /** Each shard's upload handle as bytes for the tasks, by shard path. */
  Map<String, byte[]> handles() {
    Map<String, byte[]> handles = new LinkedHashMap<>();
    open.forEach((shard, h) -> handles.put(shard, h.toByteArray()));
    return handles;
  }

  /**
   * Completes one shard's upload with its parts, in part order, once every part is in: the shard then
   * appears whole at its final name. Spark returns one result per part (the successful attempt's); a
   * part put again by another attempt holds the same bytes, so the handle kept names the same content
   * (S3: the same ETag; HDFS: the same part file). Called by one thread at a time.
   */
  void complete(String shard, List<PutPart> parts) throws IOException {
    Map<Integer, PartHandle> handles = new TreeMap<>();
    for (PutPart p : parts) {
      handles.put(p.number(), BBPartHandle.from(ByteBuffer.wrap(p.handle())));
    }
    UploadHandle upload;
    synchronized (open) {
      upload = open.get(shard);
    }
    try {
      FutureIO.awaitFuture(uploader.complete(upload, new Path(shard), handles));
    } catch (IOException e) {
      throw NamedOutputStream.named(new Path(shard), e);
    }
    synchronized (open) {
      open.remove(shard);
    }
  }

  /** Fails unless every upload was completed (the pass is over: a shard not complete now would be missing). */
  void requireAllCompleted() {
    synchronized (open) {
      if (!open.isEmpty()) {
        throw new IllegalStateException("the uploads of " + open.keySet() + " were not completed");
      }
    }
  }

  /** Aborts the uploads not completed (after a failure; every task has ended), best effort for each. */
  @Override
  public void close() throws IOException {
    IOException first = null;
    Map<String, UploadHandle> notCompleted;
    synchronized (open) {
      notCompleted = new LinkedHashMap<>(open);
      open.clear();
    }
    for (Map.Entry<String, UploadHandle> e : notCompleted.entrySet()) {
      try {
        FutureIO.awaitFuture(uploader.abort(e.getValue(), new Path(e.getKey())));
      } catch (IOException x) {
        first = first == null ? x : first;
      }
    }
    uploader.close();
    if (first != null) {
      throw first;
    }
  }

  /**
   * Hadoop's uploader for a file system without multipart uploads of its own (HDFS) collects an
   * upload's parts in a directory beside the output directory, its name the output directory's name,
   * the shard's name up to its first dot and {@code _multipart_<id>} run together
   * ({@code FileSystemMultipartUploader} joins the three as strings), and deletes it when the upload
   * completes or is aborted. A run killed in between leaves it, and no call lists it: removed here.
   */
  private static void removeLeftoverParts(FileSystem fs, Path dir) throws IOException {
    Path parent = dir.getParent();
    if (parent == null || !fs.exists(parent)) {
      return;
    }
    for (FileStatus f : fs.listStatus(parent)) {
      String name = f.getPath().getName();
      if (f.isDirectory() && name.startsWith(dir.getName() + "model") && name.contains("_multipart_")) {
        fs.delete(f.getPath(), true);
      }
    }
  }
}
