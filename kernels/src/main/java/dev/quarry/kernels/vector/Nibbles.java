package dev.quarry.kernels.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Packs 16 codes (0..15, one per short lane) into 8 bytes, element 2k in the high nibble. On a
 * 32-bit lane the pair sits as (2k in the low half, 2k+1 in the high half), so one shift-or per
 * lane forms the byte.
 */
final class Nibbles {
  private Nibbles() {}

  static void pack(ShortVector codes, byte[] packed, int at) {
    IntVector pairs = codes.reinterpretAsInts();
    IntVector bytes = pairs.lanewise(VectorOperators.LSHL, 4).or(pairs.lanewise(VectorOperators.LSHR, 16)).and(0xff);
    ((ByteVector) bytes.convertShape(VectorOperators.I2B, ByteVector.SPECIES_64, 0)).intoArray(packed, at);
  }
}
