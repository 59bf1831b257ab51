package dev.quarry.kernels.vector;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per lane, how many of 15 ascending cuts lie below the key: a 4-level binary search whose
 * per-lane cut is picked by blends, so it costs 4 compares and 11 blends instead of 15 compares
 * and 15 adds. Cut j is held broadcast in {@code wide[16 j, 16 j + 16)}.
 */
final class CutSearch {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final ShortVector ZERO = ShortVector.zero(S);

  private CutSearch() {}

  static ShortVector count(ShortVector key, short[] wide) {
    VectorMask<Short> b3 = key.compare(VectorOperators.GT, cut(wide, 7));
    VectorMask<Short> b2 = key.compare(VectorOperators.GT, cut(wide, 3).blend(cut(wide, 11), b3));
    ShortVector quarter = cut(wide, 1).blend(cut(wide, 5), b2).blend(cut(wide, 9).blend(cut(wide, 13), b2), b3);
    VectorMask<Short> b1 = key.compare(VectorOperators.GT, quarter);
    ShortVector low = cut(wide, 0).blend(cut(wide, 2), b1).blend(cut(wide, 4).blend(cut(wide, 6), b1), b2);
    ShortVector high = cut(wide, 8).blend(cut(wide, 10), b1).blend(cut(wide, 12).blend(cut(wide, 14), b1), b2);
    VectorMask<Short> b0 = key.compare(VectorOperators.GT, low.blend(high, b3));
    return ZERO.blend((short) 8, b3).or(ZERO.blend((short) 4, b2))
        .or(ZERO.blend((short) 2, b1)).or(ZERO.blend((short) 1, b0));
  }

  private static ShortVector cut(short[] wide, int j) {
    return ShortVector.fromArray(S, wide, j * S.length());
  }
}
