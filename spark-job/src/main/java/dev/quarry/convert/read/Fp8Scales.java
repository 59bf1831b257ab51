package dev.quarry.convert.read;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import java.io.Serializable;

/**
 * The float32 {@code <weight>_scale_inv} of a block-FP8 weight, as an executor needs it to dequantize
 * any run of the weight's elements ({@link dev.quarry.kernels.BlockFp8}): a row-major grid of
 * {@code gridRows × gridCols} scales, one per block of {@code blockRows × blockCols} elements, the
 * last row and column of blocks possibly partial.
 *
 * @param file       the shard holding the scales (URI string; not necessarily the weight's)
 * @param dataOffset file position of the first scale
 */
public record Fp8Scales(String tensor, String file, long dataOffset, int blockRows, int blockCols, long gridRows,
    long gridCols) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Bytes of the scale tensor in its file. */
  public long byteSize() {
    return gridRows * gridCols * Float.BYTES;
  }

  /**
   * The weight as the kernels see it: bfloat16, the dtype transformers dequantizes block-FP8 to (its
   * byte range is still that of the F8_E4M3 codes, which only the block reader reads).
   */
  public static TensorEntry decoded(TensorEntry weight) {
    return new TensorEntry(weight.name(), Dtype.BF16, weight.shape(), weight.begin(), weight.end(), weight.columnMajor());
  }
}
