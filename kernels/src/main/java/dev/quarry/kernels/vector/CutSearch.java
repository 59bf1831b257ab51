package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per lane, the 4-bit code of a key given the block's 15 ascending cut keys: a 4-level binary
 * search whose per-lane cut is picked by blends (4 compares and 11 blends instead of 15 compares
 * and 15 adds). The search yields the 4 bits of the count of cuts below the key; both formats'
 * count-to-code maps are affine over GF(2) (NF4: identity; FP4: see {@link FourBitCuts}), so the
 * code is a base XORed with one weight per set count bit. Cut j is held spread over a vector at
 * {@code wide[at + 16 j, at + 16 j + 16)} ({@link CutCache}).
 */
final class CutSearch {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final ShortVector ZERO = ShortVector.zero(S);

  private final short base;
  private final short weight8;
  private final short weight4;
  private final short weight2;
  private final short weight1;

  CutSearch(FourBitFormat format) {
    int[] codeOfCount = FourBitCuts.of(format).codeOfCount();
    int b = codeOfCount[0];
    for (int count = 0; count < codeOfCount.length; count++) {
      int affine = b;
      for (int bit = 1; bit < codeOfCount.length; bit <<= 1) {
        affine ^= (count & bit) != 0 ? codeOfCount[bit] ^ b : 0;
      }
      if (affine != codeOfCount[count]) {
        throw new IllegalStateException(format + ": the code of count " + count + " is not affine in its bits");
      }
    }
    this.base = (short) b;
    this.weight8 = (short) (codeOfCount[8] ^ b);
    this.weight4 = (short) (codeOfCount[4] ^ b);
    this.weight2 = (short) (codeOfCount[2] ^ b);
    this.weight1 = (short) (codeOfCount[1] ^ b);
  }

  ShortVector code(ShortVector key, short[] wide, int at) {
    VectorMask<Short> b3 = key.compare(VectorOperators.GT, cut(wide, at, 7));
    VectorMask<Short> b2 = key.compare(VectorOperators.GT, cut(wide, at, 3).blend(cut(wide, at, 11), b3));
    ShortVector quarter = cut(wide, at, 1).blend(cut(wide, at, 5), b2).blend(cut(wide, at, 9).blend(cut(wide, at, 13), b2), b3);
    VectorMask<Short> b1 = key.compare(VectorOperators.GT, quarter);
    ShortVector low = cut(wide, at, 0).blend(cut(wide, at, 2), b1).blend(cut(wide, at, 4).blend(cut(wide, at, 6), b1), b2);
    ShortVector high = cut(wide, at, 8).blend(cut(wide, at, 10), b1).blend(cut(wide, at, 12).blend(cut(wide, at, 14), b1), b2);
    VectorMask<Short> b0 = key.compare(VectorOperators.GT, low.blend(high, b3));
    return ZERO.blend(weight8, b3).lanewise(VectorOperators.XOR, ZERO.blend(weight4, b2))
        .lanewise(VectorOperators.XOR, ZERO.blend(weight2, b1))
        .lanewise(VectorOperators.XOR, ZERO.blend(weight1, b0))
        .lanewise(VectorOperators.XOR, base);
  }

  private static ShortVector cut(short[] wide, int at, int j) {
    return ShortVector.fromArray(S, wide, at + j * S.length());
  }
}
