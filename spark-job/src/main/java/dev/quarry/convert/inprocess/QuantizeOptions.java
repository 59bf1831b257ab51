package dev.quarry.convert.inprocess;

import dev.quarry.bnb.QuantStorage;
import dev.quarry.kernels.Blocksize;
import dev.quarry.quantize.QuantMode;

/**
 * What {@code quarry quantize} does to one file: the mode, the 4-bit blocksize (ignored by the int8
 * modes), whether every floating-point tensor is quantized instead of the Linear weights only, and
 * whether a tensor holding NaN or ±inf is kept unquantized instead of failing the run, and the dtype the
 * packed 4-bit codes are stored as ({@code bnb_4bit_quant_storage}; a lone file has no config.json,
 * so no compute dtype).
 */
public record QuantizeOptions(QuantMode mode, int blocksize, boolean allTensors, boolean allowNonFinite,
    QuantStorage storage) {
  /** The blocksize transformers and Fabric use. */
  public static final int DEFAULT_BLOCKSIZE = 64;

  public QuantizeOptions {
    Blocksize.check(blocksize);
  }

  public QuantizeOptions(QuantMode mode, int blocksize, boolean allTensors) {
    this(mode, blocksize, allTensors, false, QuantStorage.UINT8);
  }

  public static QuantizeOptions of(QuantMode mode) {
    return new QuantizeOptions(mode, DEFAULT_BLOCKSIZE, false);
  }
}
