package dev.quarry.convert.write;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.hadoop.fs.BBUploadHandle;
import org.apache.hadoop.fs.MultipartUploader;
import org.apache.hadoop.fs.PartHandle;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Puts one part of a shard's multipart upload from an executor, through Hadoop's uploader for the
 * output's file system (S3A: an S3 part upload; HDFS: a part file, joined by {@code concat} at
 * completion). A retried or speculative attempt puts the same part number with the same bytes, which
 * replaces the earlier one. For an object store the part is computed into memory first: its client
 * sends a request's body again when the request fails or times out, which a stream computed as it is
 * read cannot do (and computing while sending held a slow part's request open past S3A's timeouts);
 * the part size bounds that memory. HDFS's uploader copies the stream into a part file once.
 */
final class PartWriter {
  private PartWriter() {}

  /**
   * @param outputDir the output directory, the uploader's base path
   * @param inMemory  build the part in memory before the upload (an object store)
   */
  static PutPart put(UploadPart part, String outputDir, boolean inMemory) throws IOException {
    Path shard = new Path(part.shard());
    try (MultipartUploader uploader = FileSystems.forPath(shard).createMultipartUploader(new Path(outputDir)).build();
        PartBytes bytes = new PartBytes(part)) {
      InputStream body = bytes;
      if (inMemory) {
        byte[] all = new byte[Math.toIntExact(part.length())];
        bytes.readNBytes(all, 0, all.length);
        body = new ByteArrayInputStream(all);
      }
      PartHandle handle;
      try {
        handle = FutureIO.awaitFuture(uploader.putPart(BBUploadHandle.from(ByteBuffer.wrap(part.upload())),
            part.number(), part.last(), shard, body, part.length()));
      } catch (IOException e) {
        bytes.rethrowFailure();
        throw NamedOutputStream.named(shard, e);
      } catch (RuntimeException e) {
        bytes.rethrowFailure();
        throw e;
      }
      bytes.requireComplete();
      return new PutPart(part.shard(), part.number(), part.length(), handle.toByteArray(), bytes.written(),
          SparkEnv.get().executorId(), TaskContext.get().taskAttemptId());
    }
  }
}
