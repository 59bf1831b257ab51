package dev.quarry.kernels.vector;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * FP4 code of a cut count 0..15 (see {@link dev.quarry.kernels.FourBitCuts}): counts 8..15 are
 * the non-negative values with r = count - 8 magnitude cuts passed, counts 0..7 the negative ones
 * with r = 7 - count; the code is {@code sign | perm(r)}, {@code perm(r) = r ^ ((r & 2) << 1)}.
 */
final class Fp4Codes {
  private Fp4Codes() {}

  static ShortVector ofCount(ShortVector count) {
    ShortVector t = count.lanewise(VectorOperators.XOR, (short) 8); // bit 3 = negative, low bits = count & 7
    ShortVector negative = t.lanewise(VectorOperators.LSHR, 3);
    // for negatives r = 7 - (count & 7) = (count & 7) ^ 7; bit 3 stays as the sign
    ShortVector r = t.lanewise(VectorOperators.XOR, negative.lanewise(VectorOperators.LSHL, 3).sub(negative));
    return r.lanewise(VectorOperators.XOR, r.and((short) 2).lanewise(VectorOperators.LSHL, 1));
  }
}
