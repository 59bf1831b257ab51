package dev.quarry.kernels;

/** The 4-bit quantization blocksizes bitsandbytes supports: powers of two from 32 to 4096. */
public final class Blocksize {
  public static final int MIN = 32;
  public static final int MAX = 4096;

  private Blocksize() {
  }

  /** Returns {@code blocksize} when it is supported, otherwise throws. */
  public static int check(int blocksize) {
    if (blocksize < MIN || blocksize > MAX || Integer.bitCount(blocksize) != 1) {
      throw new IllegalArgumentException("blocksize " + blocksize + " is not a power of two in [" + MIN + ", " + MAX + "]");
    }
    return blocksize;
  }
}
