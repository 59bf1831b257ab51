package dev.quarry.convert.plan;

import dev.quarry.kernels.NestedAbsmaxQuantizer;

/**
 * The output bytes one block of work produces, each a run of its own output tensor: the
 * {@link #CODES} (packed 4-bit codes, int8 codes or float16 values: three quarters or more of the
 * output), the {@link #SCALES} (float32 absmax; under double quantization the absmax's uint8 codes;
 * int8's SCB) and, under double quantization only, the {@link #NESTED} float32 absmax of the absmax.
 */
public enum BlockSection {
  CODES, SCALES, NESTED;

  /** The bytes of this section of {@code b} (0 where the block has none), from the plan alone. */
  public long bytes(BlockTask b) {
    long n = b.elementCount();
    boolean fourBit = b.action() == TensorAction.QUANTIZE && b.mode().isFourBit();
    boolean doubleQuant = fourBit && b.mode().doubleQuant();
    long absmaxCount = ceilDiv(n, b.blocksize());
    return switch (this) {
      case CODES -> b.action() == TensorAction.CAST ? n * 2 : fourBit ? (n + 1) / 2 : n;
      case SCALES -> b.action() == TensorAction.CAST ? 0 : !fourBit ? n / b.rowLength() * 4
          : doubleQuant ? absmaxCount : absmaxCount * 4;
      case NESTED -> doubleQuant ? ceilDiv(absmaxCount, NestedAbsmaxQuantizer.NESTED_BLOCKSIZE) * 4 : 0;
    };
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
