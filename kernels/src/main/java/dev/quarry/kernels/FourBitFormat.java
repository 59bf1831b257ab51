package dev.quarry.kernels;

/**
 * The two 4-bit codebooks of bitsandbytes ({@code bnb-exact.md} §2). Every constant is given as
 * its float32 bit pattern, because the measured values differ from the decimal literals in
 * bitsandbytes' source by an ulp in places.
 */
public enum FourBitFormat {
  NF4("nf4",
      new int[] {
        0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f, 0xbdba7871, 0x00000000,
        0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3, 0x3f800000
      }),
  FP4("fp4",
      new int[] {
        0x00000000, 0x3baaaaab, 0x3f2aaaab, 0x3f800000, 0x3eaaaaab, 0x3f000000, 0x3e2aaaab, 0x3e800000,
        0x00000000, 0xbbaaaaab, 0xbf2aaaab, 0xbf800000, 0xbeaaaaab, 0xbf000000, 0xbe2aaaab, 0xbe800000
      });

  /** NF4: code = number of these thresholds that the scaled value is strictly greater than. */
  static final int[] NF4_THRESHOLD_BITS = {
    0xbf591cd9, 0xbf1c5270, 0xbeeb8480, 0xbeadea76, 0xbe703cec, 0xbe0d38bc, 0xbd3a7871, 0x3d22faff,
    0x3df64863, 0x3e5067e0, 0x3e9582d4, 0x3ec753f9, 0x3f006d03, 0x3f248daf, 0x3f5c89d9
  };

  /** FP4: r = number of these magnitude thresholds that |scaled value| is strictly greater than. */
  static final float[] FP4_MAGNITUDE_THRESHOLDS = {
    0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f
  };

  /** FP4: the 3-bit magnitude code of r (the sign adds 8). */
  static final int[] FP4_MAGNITUDE_CODE = {0, 1, 6, 7, 4, 5, 2, 3};

  private final String quantType;
  private final float[] codebook;

  FourBitFormat(String quantType, int[] codebookBits) {
    this.quantType = quantType;
    this.codebook = new float[16];
    for (int i = 0; i < 16; i++) {
      codebook[i] = Float.intBitsToFloat(codebookBits[i]);
    }
  }

  /** "nf4" or "fp4", as in the quant_state key and JSON. */
  public String quantType() {
    return quantType;
  }

  /** The 16 dequantization values, also saved as {@code weight.quant_map}. */
  public float[] codebook() {
    return codebook.clone();
  }

  public float value(int code) {
    return codebook[code];
  }
}
