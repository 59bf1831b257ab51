package dev.quarry.kernels;

/**
 * The 4-bit decision of {@code bnb-exact.md} §2 restated as a monotone step function, which is
 * what lets a kernel replace per-element float compares by per-block cut points.
 *
 * <p>For both formats the code of a scaled value {@code s} is {@code codeOfCount(count(s))} where
 * {@code count(s) = number of j in 0..14 with s > bound(j)} (bounds ascending). For NF4 the bounds
 * are the thresholds and the code is the count. For FP4 (sign-magnitude) the bounds are the
 * negative magnitude cuts {@code nextDown(-t)}, then the sign cut, then the positive cuts
 * {@code t}; the 16 counts map to the codes 11, 10, 13, 12, 15, 14, 9, 8, 0, 1, 6, 7, 4, 5, 2, 3.
 *
 * <p>The FP4 sign cut is special: "negative" means {@code s < 0} after flush-to-zero of the input
 * and of the product, i.e. {@code x <= -MIN_NORMAL} and {@code x * inv <= -MIN_NORMAL}.
 * {@link #signCutIndex()} names it; its bound is {@code -Float.MIN_NORMAL}.
 */
public final class FourBitCuts {
  /** How many cut points a 4-bit format has (16 codes). */
  public static final int COUNT = 15;

  private static final FourBitCuts NF4 = nf4();
  private static final FourBitCuts FP4 = fp4();

  private final float[] bounds;
  private final int[] codeOfCount;
  private final int signCutIndex;

  private FourBitCuts(float[] bounds, int[] codeOfCount, int signCutIndex) {
    this.bounds = bounds;
    this.codeOfCount = codeOfCount;
    this.signCutIndex = signCutIndex;
  }

  public static FourBitCuts of(FourBitFormat format) {
    return format == FourBitFormat.NF4 ? NF4 : FP4;
  }

  /** The 15 ascending bounds: a scaled value above {@code bound(j)} passes cut j. */
  public float[] bounds() {
    return bounds.clone();
  }

  /** The code of a value that passes {@code count} cuts (16 entries). */
  public int[] codeOfCount() {
    return codeOfCount.clone();
  }

  /** The index of the FP4 sign cut (see the class comment), or -1 for NF4. */
  public int signCutIndex() {
    return signCutIndex;
  }

  private static FourBitCuts nf4() {
    float[] bounds = new float[COUNT];
    int[] codeOfCount = new int[COUNT + 1];
    for (int j = 0; j < COUNT; j++) {
      bounds[j] = Float.intBitsToFloat(FourBitFormat.NF4_THRESHOLD_BITS[j]);
    }
    for (int count = 0; count <= COUNT; count++) {
      codeOfCount[count] = count;
    }
    return new FourBitCuts(bounds, codeOfCount, -1);
  }

  private static FourBitCuts fp4() {
    float[] t = FourBitFormat.FP4_MAGNITUDE_THRESHOLDS;
    int half = t.length;
    float[] bounds = new float[COUNT];
    int[] codeOfCount = new int[COUNT + 1];
    for (int r = 0; r <= half; r++) {
      // count half - r: negative with r magnitude cuts passed; count half + 1 + r: non-negative with r passed
      codeOfCount[half - r] = 8 + FourBitFormat.FP4_MAGNITUDE_CODE[r];
      codeOfCount[half + 1 + r] = FourBitFormat.FP4_MAGNITUDE_CODE[r];
    }
    for (int i = 0; i < half; i++) {
      // s < -t[i]  <=>  !(s > nextDown(-t[i])): the magnitude cut i seen from below
      bounds[half - 1 - i] = Math.nextDown(-t[i]);
      bounds[half + 1 + i] = t[i];
    }
    bounds[half] = -Float.MIN_NORMAL;
    return new FourBitCuts(bounds, codeOfCount, half);
  }
}
