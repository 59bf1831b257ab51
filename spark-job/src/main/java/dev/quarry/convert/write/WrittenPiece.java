package dev.quarry.convert.write;

import dev.quarry.convert.plan.Piece;
import dev.quarry.quality.ErrorStats;
import java.io.Serializable;
import org.apache.spark.SparkEnv;

/**
 * A piece as an executor wrote it: the CRC32C of its bytes (the driver composes a tensor's from its
 * pieces'), for the codes of a block the quantization error measured while computing them, and the
 * executor that wrote it ("driver" in local mode, "in process" without Spark: {@link dev.quarry.convert.inprocess.InProcessConversion}).
 */
public record WrittenPiece(Piece piece, long crc32c, ErrorStats errors, String executor) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A piece written by this JVM. */
  static WrittenPiece here(Piece piece, long crc32c, ErrorStats errors) {
    SparkEnv spark = SparkEnv.get();
    return new WrittenPiece(piece, crc32c, errors, spark == null ? "in process" : spark.executorId());
  }
}
