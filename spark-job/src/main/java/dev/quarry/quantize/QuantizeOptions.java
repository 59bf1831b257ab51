package dev.quarry.quantize;

import dev.quarry.kernels.Blocksize;

/**
 * What {@code quarry quantize} does to one file: the mode, the 4-bit blocksize (ignored by the int8
 * modes) and whether every floating-point tensor is quantized instead of the Linear weights only.
 */
public record QuantizeOptions(QuantMode mode, int blocksize, boolean allTensors) {
  /** The blocksize transformers and Fabric use. */
  public static final int DEFAULT_BLOCKSIZE = 64;

  public QuantizeOptions {
    Blocksize.check(blocksize);
  }

  public static QuantizeOptions of(QuantMode mode) {
    return new QuantizeOptions(mode, DEFAULT_BLOCKSIZE, false);
  }
}
