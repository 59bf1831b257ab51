package dev.quarry.convert.plan;

import dev.quarry.convert.read.Fp8Scales;
import dev.quarry.kernels.ElementType;
import dev.quarry.quality.ErrorMeter;
import dev.quarry.quantize.QuantMode;
import dev.quarry.spark.ProgressItem;
import java.io.Serializable;

/**
 * One unit of executor work, small and self-contained (Iceberg-style): a run of elements of one
 * tensor, in the row-major order of the tensor as it is quantized, aligned to quantization blocks
 * (to 256 of them under double quantization, to whole rows for int8 and for transposed tensors).
 *
 * @param file         the input shard (URI string)
 * @param dataOffset   file position of the tensor's first data byte
 * @param rows         the input tensor's first dimension (1 for 1-D)
 * @param cols         the input tensor's element count divided by rows
 * @param transposed   the input is a GPT-2 Conv1D weight [rows, cols] quantized as its transpose
 * @param chunkAlign   a chunk of work in memory is a multiple of this many elements
 * @param fp8          the scales of a block-FP8 weight, whose F8_E4M3 codes are read and dequantized to
 *                     {@code type} (bfloat16), or null
 * @param measureError whether the block's quantization error is measured (for the manifest; a lone file
 *                     quantized in process has none)
 */
public record BlockTask(int blockId, int tensorId, String file, String tensor, ElementType type, long dataOffset,
    long rows, long cols, boolean transposed, long firstElement, long elementCount, long chunkAlign,
    TensorAction action, QuantMode mode, int blocksize, Fp8Scales fp8, boolean measureError) implements Serializable, ProgressItem {
  private static final long serialVersionUID = 1L;

  public long inputBytes() {
    return elementCount * sourceElementBytes();
  }

  /** Bytes of one element in the input file: 1 for a block-FP8 code, else those of {@code type}. */
  public int sourceElementBytes() {
    return fp8 == null ? type.byteSize() : 1;
  }

  /** What measures the block's error as its chunks are quantized ({@link ErrorMeter#none} when nobody reads it). */
  public ErrorMeter errorMeter() {
    return measureError ? new ErrorMeter(type) : ErrorMeter.none(type);
  }

  /** The length of a row of the tensor as it is quantized: int8 quantizes rows, the transpose reads them. */
  public long rowLength() {
    return transposed ? rows : cols;
  }
}
