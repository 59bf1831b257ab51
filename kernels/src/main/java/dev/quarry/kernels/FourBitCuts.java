package dev.quarry.kernels;

/**
 * The 4-bit decision of {@code bnb-exact.md} §2 restated as a monotone step function, which is
 * what lets a kernel replace per-element float compares by per-block cut points.
 *
 * <p>For both formats the code of a scaled value {@code s} is a function of
 * {@code count(s) = number of j in 0..14 with s > bound(j)} (bounds ascending), namely
 * {@code baseCode + sum of codeStep(j) over those j}. For NF4 the bounds are the thresholds and
 * every step is +1. For FP4 (sign-magnitude) the bounds are the negative magnitude cuts
 * {@code nextDown(-t)}, then the sign cut, then the positive cuts {@code t}; the steps walk the
 * codes 11, 10, 13, 12, 15, 14, 9, 8, 0, 1, 6, 7, 4, 5, 2, 3 of the 16 counts.
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
  private final int baseCode;
  private final int[] codeSteps;
  private final int signCutIndex;

  private FourBitCuts(float[] bounds, int baseCode, int[] codeSteps, int signCutIndex) {
    this.bounds = bounds;
    this.baseCode = baseCode;
    this.codeSteps = codeSteps;
    this.signCutIndex = signCutIndex;
  }

  public static FourBitCuts of(FourBitFormat format) {
    return format == FourBitFormat.NF4 ? NF4 : FP4;
  }

  /** The 15 ascending bounds: a scaled value above {@code bound(j)} passes cut j. */
  public float[] bounds() {
    return bounds.clone();
  }

  /** The code of a value that passes no cut. */
  public int baseCode() {
    return baseCode;
  }

  /** What passing cut j adds to the code (mod nothing: the sum stays in 0..15). */
  public int[] codeSteps() {
    return codeSteps.clone();
  }

  /** The index of the FP4 sign cut (see the class comment), or -1 for NF4. */
  public int signCutIndex() {
    return signCutIndex;
  }

  private static FourBitCuts nf4() {
    float[] bounds = new float[COUNT];
    int[] steps = new int[COUNT];
    for (int j = 0; j < COUNT; j++) {
      bounds[j] = Float.intBitsToFloat(FourBitFormat.NF4_THRESHOLD_BITS[j]);
      steps[j] = 1;
    }
    return new FourBitCuts(bounds, 0, steps, -1);
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
    int[] steps = new int[COUNT];
    for (int j = 0; j < COUNT; j++) {
      steps[j] = codeOfCount[j + 1] - codeOfCount[j];
    }
    return new FourBitCuts(bounds, codeOfCount[0], steps, half);
  }
}
