package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;

/**
 * The {@link CutKeys cut keys} of every bfloat16 fast-path block, for both 4-bit formats, as one
 * table indexed by the absmax mantissa alone.
 *
 * <p>Why the mantissa suffices: doubling the absmax halves {@code rcp(absmax)} exactly (the GPU's
 * error depends only on the mantissa) and doubles every input on a cut, so {@code fl(x * inv)} is
 * unchanged and every cut key moves by one binade (128 in the magnitude bits). So relative to a
 * per-block floor {@code L = M - depth(mantissa)} (M the absmax magnitude pattern) the cuts do not
 * depend on the exponent. This holds while every input on a cut is a normal bfloat16, which the
 * fast range of {@link HalfType#BF16} guarantees, except for the FP4 sign cut, which sits at the
 * flush-to-zero boundary: that one is kept as {@link #signDepth} and capped per block.
 *
 * <p>What a row holds (a "relative key" is {@code t = (max(m, L) - L) ^ s} for magnitude m and
 * s = -1 for negative inputs, 0 otherwise; it orders like the inputs and merges only magnitudes
 * below every cut): cut j as {@code (t_j << 4) | low_j}, spread over 16 lanes, where low_j is the
 * code of count j for even j (the cut the last search level compares with, see
 * {@link Bf16FourBitQuantizer}) and 0 otherwise. Relative keys of fast blocks fit in 12 bits, so
 * the shift loses nothing and compares of {@code t << 4} against entries are compares of t
 * against t_j. (FP4 codes read only the positive half of a row, cuts 8..14, with magnitude keys;
 * the other half stays so that every row is the full cut list {@link CutKeys} computes.)
 *
 * <p>{@link #LANES} holds the same entries once per row, cut j in lane j of one 16-lane vector (lane
 * 15, which no search reads, holds the largest short), for a search that picks each lane's cut by a
 * permute ({@link LanePermute}).
 *
 * <p>All of it lives in static final arrays so that C2 knows their lengths and drops the bounds
 * checks of masked indices in the code loop.
 */
final class Bf16CutTable {
  static final int MANTISSA_BITS = 7;
  static final int ROW_SHORTS = 16 * 16;
  /** Masks a row offset into the table (with the checks it makes the bounds checks provably redundant). */
  static final int ROW_MASK = 2 * (ROW_SHORTS << MANTISSA_BITS) - ROW_SHORTS;
  /** Relative keys of a fast block lie in [-2^11, 2^11). */
  static final int MAX_DEPTH = (1 << 11) - 1;
  /** The magnitude of the smallest bfloat16 that is not flushed to zero (float32 MIN_NORMAL). */
  static final int MIN_UNFLUSHED_MAGNITUDE = 0x0080;

  private static final int MANTISSAS = 1 << MANTISSA_BITS;
  /** The absmax exponent the rows are computed at: absmax in [1, 2). */
  private static final int REFERENCE_EXPONENT = 127;

  static final short[] CUTS = new short[2 * MANTISSAS * ROW_SHORTS];
  /** Row r's entries at {@code [16 r, 16 r + 16)}: {@code LANES[row(...) / 16 + j] == CUTS[row(...) + 16 j]}. */
  static final short[] LANES = new short[CUTS.length / 16];
  private static final short[] DEPTH = new short[2 * MANTISSAS];
  private static final short[] SIGN_DEPTH = new short[MANTISSAS];

  static {
    for (FourBitFormat format : FourBitFormat.values()) {
      fill(format);
    }
  }

  private Bf16CutTable() {}

  /** The offset in {@link #CUTS} of the row for a fast block with this absmax magnitude. */
  static int row(FourBitFormat format, int magnitude) {
    return (formatIndex(format) * MANTISSAS + mantissa(magnitude)) * ROW_SHORTS;
  }

  /** The block's floor L: magnitudes at or below it are merged (they lie below every cut but the FP4 sign cut). */
  static int floor(FourBitFormat format, int magnitude) {
    return magnitude - DEPTH[formatIndex(format) * MANTISSAS + mantissa(magnitude)];
  }

  /**
   * FP4: the smallest magnitude of a negative input that the sign cut counts as negative (inputs
   * of smaller magnitude, and those flushed to zero, give a scaled value that is not negative).
   */
  static int signMagnitude(int magnitude) {
    return Math.max(magnitude - SIGN_DEPTH[mantissa(magnitude)], MIN_UNFLUSHED_MAGNITUDE);
  }

  private static int mantissa(int magnitude) {
    return magnitude & (MANTISSAS - 1);
  }

  private static int formatIndex(FourBitFormat format) {
    return format == FourBitFormat.NF4 ? 0 : 1;
  }

  private static void fill(FourBitFormat format) {
    FourBitCuts cuts = FourBitCuts.of(format);
    int signCut = cuts.signCutIndex();
    int[] codeOfCount = cuts.codeOfCount();
    for (int q = 0; q < codeOfCount.length / 2; q++) {
      if ((codeOfCount[2 * q] ^ codeOfCount[2 * q + 1]) != 1) {
        throw new IllegalStateException(format + ": counts " + 2 * q + " and " + (2 * q + 1) + " differ in more than bit 0");
      }
    }
    CutKeys cutKeys = new CutKeys(format, HalfType.BF16);
    int[] key = new int[FourBitCuts.COUNT];
    for (int mantissa = 0; mantissa < MANTISSAS; mantissa++) {
      int magnitude = REFERENCE_EXPONENT << MANTISSA_BITS | mantissa;
      cutKeys.compute(magnitude, key, 0);
      int floor = Integer.MAX_VALUE;
      for (int j = 0; j < key.length; j++) {
        if (j != signCut) {
          floor = Math.min(floor, magnitude(key[j]) - 1);
        }
      }
      int depth = magnitude - floor;
      if (depth > MAX_DEPTH) {
        throw new IllegalStateException(format + ": cuts span " + depth + " magnitudes below absmax " + magnitude);
      }
      int slot = formatIndex(format) * MANTISSAS + mantissa;
      DEPTH[slot] = (short) depth;
      if (signCut >= 0) {
        SIGN_DEPTH[mantissa] = (short) (magnitude - magnitude(key[signCut]));
      }
      for (int j = 0; j < key.length; j++) {
        int relative = j == signCut ? 0 : (magnitude(key[j]) - floor) ^ (key[j] >> 31);
        short entry = (short) ((relative << 4) | (j % 2 == 0 ? codeOfCount[j] : 0));
        int at = slot * ROW_SHORTS + j * 16;
        java.util.Arrays.fill(CUTS, at, at + 16, entry);
        LANES[at / 16] = entry;
      }
      LANES[slot * 16 + FourBitCuts.COUNT] = Short.MAX_VALUE;
    }
  }

  /** The magnitude of the value a key stands for. */
  private static int magnitude(int key) {
    return key >= 0 ? key : -1 - key;
  }
}
