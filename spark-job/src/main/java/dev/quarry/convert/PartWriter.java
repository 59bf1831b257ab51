package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import java.io.IOException;
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
 * replaces the earlier one.
 */
final class PartWriter {
  private PartWriter() {}

  /** @param outputDir the output directory, the uploader's base path */
  static PutPart put(UploadPart part, String outputDir) throws IOException {
    Path shard = new Path(part.shard());
    try (MultipartUploader uploader = FileSystems.forPath(shard).createMultipartUploader(new Path(outputDir)).build();
        PartBytes bytes = new PartBytes(part)) {
      PartHandle handle;
      try {
        handle = FutureIO.awaitFuture(uploader.putPart(BBUploadHandle.from(ByteBuffer.wrap(part.upload())),
            part.number(), part.last(), shard, bytes, part.length()));
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
