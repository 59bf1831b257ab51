package dev.quarry.testing;

import java.nio.ByteBuffer;

/** NF4 decoding written for the tests from bnb-exact.md §2 alone (the table's float32 bit patterns). */
public final class IndependentNf4 {
  private static final int[] BITS = {0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f,
      0xbdba7871, 0x00000000, 0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3,
      0x3f800000};

  private IndependentNf4() {}

  /** Element i: its code (high nibble first) times its block's float32 absmax (little-endian buffer), in float32. */
  public static float value(byte[] packed, ByteBuffer absmax, int blocksize, int i) {
    int code = (i % 2 == 0 ? packed[i / 2] >> 4 : packed[i / 2]) & 0xf;
    return Float.intBitsToFloat(BITS[code]) * absmax.getFloat(i / blocksize * 4);
  }
}
