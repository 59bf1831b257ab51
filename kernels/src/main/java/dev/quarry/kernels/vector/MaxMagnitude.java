package dev.quarry.kernels.vector;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The largest magnitude of a run of bfloat16 or float16 values, as a bit pattern without the
 * sign: for both sign-magnitude formats the order of magnitude patterns is the order of |x|, with
 * NaNs above inf, so one integer max tells which path a block or row takes.
 */
final class MaxMagnitude {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;

  private MaxMagnitude() {}

  static int of(short[] x, int off, int length) {
    int vectorEnd = length - length % S.length();
    int max = 0;
    if (vectorEnd > 0) {
      ShortVector lanes = ShortVector.fromArray(S, x, off).and((short) 0x7fff);
      for (int i = S.length(); i < vectorEnd; i += S.length()) {
        lanes = lanes.max(ShortVector.fromArray(S, x, off + i).and((short) 0x7fff));
      }
      max = lanes.reduceLanes(VectorOperators.MAX);
    }
    for (int i = vectorEnd; i < length; i++) {
      max = Math.max(max, x[off + i] & 0x7fff);
    }
    return max;
  }
}
