package dev.quarry.kernels.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs 16 codes (0..15, one per short) into 8 bytes, element 2k in the high nibble. On a 32-bit
 * lane the pair sits as (2k in the low half, 2k+1 in the high half), so one shift-or per lane forms
 * the byte; the narrowing keeps each lane's low byte, so the bits shifted above it need no mask.
 *
 * <p>The codes come through an array, not a vector: a vector passed to a call C2 does not inline
 * is boxed, and the kernels' code loops are large enough that C2 sometimes does not inline this.
 */
final class Nibbles {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;

  private Nibbles() {}

  static void pack(short[] codes, int from, byte[] packed, int at) {
    IntVector pairs = ShortVector.fromArray(S, codes, from).reinterpretAsInts();
    IntVector bytes = pairs.lanewise(VectorOperators.LSHL, 4).or(pairs.lanewise(VectorOperators.LSHR, 16));
    ((ByteVector) bytes.convertShape(VectorOperators.I2B, ByteVector.SPECIES_64, 0)).intoArray(packed, at);
  }
}
