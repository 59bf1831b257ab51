package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit quantization of bfloat16 input, in one pass of 32-element steps that codes the fast
 * blocks with the cut keys of each block's {@link Bf16CutTable} row, while the absmax of the blocks
 * runs {@link #AHEAD_ELEMENTS} ahead (blocks outside the fast range go to the scalar reference).
 *
 * <p>NF4: the code of an element is the number of cuts below its relative key (see
 * {@link Bf16CutTable}), found by a 4-level binary search. The first level needs no relative key:
 * cut 7 is compared with the input bits. Where a permute of shorts is one instruction
 * ({@link LanePermute}), each lane's cut at the next levels is picked from the row held as one vector
 * ({@link Bf16CutTable#LANES}) at the lane's count so far, and a passed cut adds its weight to the
 * count. Elsewhere it is picked by blends of the row's 15 spread cuts, and the last level's cut
 * carries the code of its count in its low bits, so the code is those bits with bit 0 flipped when
 * the key passes that cut (the codes of counts 2q and 2q + 1 differ in bit 0).
 *
 * <p>FP4 is sign-magnitude ({@code FourBitCoder}): sign | code of the magnitude's rank among the 7
 * magnitude thresholds, and the positive half of the row (cuts 8..14, counts 8..15) holds exactly
 * those thresholds as magnitude keys with those codes. So FP4 takes a 3-level search of that half
 * with the magnitude's key, the same for both signs (rounding and flushing are symmetric), and
 * ORs in the sign bit of the negative inputs the sign cut counts: 4 blends where the full search
 * takes 11, and 7 cut rows read instead of 15.
 *
 * <p>Written for C2: the code loop is one method whose calls take no vectors (prepare and the
 * scalar fallback take arrays and ints), since a call C2 failed to inline would box the vectors
 * passed to it (it gives up inlining in methods this large); it walks 32 elements per step and
 * reads the cut rows per step, since C2 would otherwise hoist the 15 cut vectors of a block out
 * of an inner loop and spill them.
 */
final class Bf16FourBitQuantizer {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int STEP = 2 * 16;
  /**
   * How far ahead of the codes the absmax runs, in input elements (at least one block): the next
   * block's reduction and table lookups overlap the codes of this one. One block of the default
   * blocksize 64. Measured with bf16 nf4 on 16 MiB of input (JDK 25, Zen 3, one JVM per run,
   * alternating): about 14% faster on average than 1024 elements ahead, the earlier setting, with
   * 128 and 256 in between and 2048 to 8192 no better than 1024; JDK 17 ran the same at 64 and 1024.
   */
  private static final int AHEAD_ELEMENTS = 64;
  /** Ring of block magnitudes: a power of two above the blocks ahead (at most 64 / 32). */
  private static final int RING = 4;
  private static final short MAGNITUDE_BITS = 0x7fff;
  private static final short SIGN_BIT = (short) 0x8000;
  private static final ShortVector ZERO = ShortVector.zero(S);
  private static final ShortVector ONE = ShortVector.broadcast(S, (short) 1);
  private static final ShortVector TWO = ShortVector.broadcast(S, (short) 2);
  private static final ShortVector THREE = ShortVector.broadcast(S, (short) 3);
  private static final ShortVector FOUR = ShortVector.broadcast(S, (short) 4);
  private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);

  private final FourBitFormat format;
  private final boolean signCut;
  /** NF4 by picking cuts with a lane permute rather than blends (the same codes). */
  private final boolean permuteSearch;
  private final KernelSupport fallback;

  Bf16FourBitQuantizer(FourBitFormat format, boolean permuteSearch, KernelSupport fallback) {
    this.format = format;
    this.signCut = format == FourBitFormat.FP4;
    this.permuteSearch = permuteSearch;
    this.fallback = fallback;
  }

  void quantize(short[] x, int xOff, int n, int blocksize, byte[] packed, int packedOff,
      float[] absmax, int absmaxOff) {
    int fullBlocks = n / blocksize;
    int stepShift = Integer.numberOfTrailingZeros(blocksize / STEP);
    int aheadBlocks = Math.max(1, AHEAD_ELEMENTS / blocksize);
    // the absmax magnitude of the blocks between the one being coded and the one being prepared,
    // by block index modulo RING, or -1 for a block the scalar reference has done
    int[] magnitude = new int[RING];
    for (int block = 0; block < Math.min(aheadBlocks, fullBlocks); block++) {
      prepare(x, xOff, block, blocksize, packed, packedOff, absmax, absmaxOff, magnitude);
    }
    encode(x, xOff, fullBlocks, stepShift, aheadBlocks, blocksize, packed, packedOff, absmax, absmaxOff, magnitude);
    int done = fullBlocks * blocksize;
    if (done < n) {
      scalarBlocks(x, xOff, done, n - done, blocksize, packed, packedOff, absmax, absmaxOff + fullBlocks);
    }
  }

  /** A block's absmax: stored, with its magnitude in the ring, or the whole block done by the scalar reference. */
  private void prepare(short[] x, int xOff, int block, int blocksize, byte[] packed, int packedOff,
      float[] absmax, int absmaxOff, int[] magnitude) {
    int start = block * blocksize;
    int m = MaxMagnitude.of(x, xOff + start, blocksize);
    if (HalfType.BF16.isFast(m)) {
      // a bfloat16 is the high half of a float32
      absmax[absmaxOff + block] = Float.intBitsToFloat(m << 16);
      magnitude[block & (RING - 1)] = m;
    } else {
      magnitude[block & (RING - 1)] = -1;
      scalarBlocks(x, xOff, start, blocksize, blocksize, packed, packedOff, absmax, absmaxOff + block);
    }
  }

  private void scalarBlocks(short[] x, int xOff, int start, int length, int blocksize, byte[] packed,
      int packedOff, float[] absmax, int absmaxAt) {
    fallback.quantize4Bit(format, ElementType.BF16, x, xOff + start, length, blocksize,
        packed, packedOff + start / 2, absmax, absmaxAt);
  }

  /**
   * Packed codes of the fast blocks among the first {@code fullBlocks}, in steps of 32 elements
   * (2^stepShift per block); at each block's first step the block {@code aheadBlocks} further on
   * is prepared, the first ones being already.
   */
  private void encode(short[] x, int xOff, int fullBlocks, int stepShift, int aheadBlocks, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff, int[] magnitude) {
    int steps = fullBlocks << stepShift;
    int stepMask = (1 << stepShift) - 1;
    short[] cuts = Bf16CutTable.CUTS;
    for (int step = 0; step < steps; step++) {
      int block = step >> stepShift;
      if ((step & stepMask) == 0 && block + aheadBlocks < fullBlocks) {
        prepare(x, xOff, block + aheadBlocks, blocksize, packed, packedOff, absmax, absmaxOff, magnitude);
      }
      // the block's table row, floor and first-level bound: scalar work that overlaps the vector work
      int m = magnitude[block & (RING - 1)];
      if (m < 0) {
        continue;
      }
      int at = Bf16CutTable.row(format, m) & Bf16CutTable.ROW_MASK;
      int floor = Bf16CutTable.floor(format, m);
      int firstLevel = signCut ? Bf16CutTable.signMagnitude(m) - 1 : floor + (cuts[at + 7 * 16] >> 4);
      int i = xOff + step * STEP;
      int out = packedOff + step * (STEP / 2);
      ShortVector floorV = ShortVector.broadcast(S, (short) floor);
      ShortVector firstV = ShortVector.broadcast(S, (short) firstLevel);
      ShortVector va = ShortVector.fromArray(S, x, i);
      ShortVector vb = ShortVector.fromArray(S, x, i + 16);
      ShortVector ma = va.and(MAGNITUDE_BITS);
      ShortVector mb = vb.and(MAGNITUDE_BITS);
      // how far the magnitudes lie above the floor (merged below it)
      ShortVector ra = ma.max(floorV).sub(floorV);
      ShortVector rb = mb.max(floorV).sub(floorV);
      // the row's upper half, cuts 8..14: for FP4 the 7 magnitude thresholds (cut 8 + r passed by
      // ranks above r), for NF4 the cuts above cut 7
      ShortVector c8 = ShortVector.fromArray(S, cuts, at + 8 * 16);
      ShortVector c9 = ShortVector.fromArray(S, cuts, at + 9 * 16);
      ShortVector c10 = ShortVector.fromArray(S, cuts, at + 10 * 16);
      ShortVector c11 = ShortVector.fromArray(S, cuts, at + 11 * 16);
      ShortVector c12 = ShortVector.fromArray(S, cuts, at + 12 * 16);
      ShortVector c13 = ShortVector.fromArray(S, cuts, at + 13 * 16);
      ShortVector c14 = ShortVector.fromArray(S, cuts, at + 14 * 16);
      ShortVector codeA;
      ShortVector codeB;
      if (signCut) {
        // FP4: sign | code of the magnitude's rank (FourBitCoder), the rank by a 3-level search of
        // the row's positive half (cuts 8..14) with the magnitude's key, as positive inputs have
        ShortVector ka = ra.lanewise(VectorOperators.LSHL, 4);
        ShortVector kb = rb.lanewise(VectorOperators.LSHL, 4);
        // negative, not flushed: as shorts, x ^ 0x8000 is the magnitude of a negative input and
        // negative for the others; firstLevel is the smallest counted magnitude - 1
        VectorMask<Short> negativeA = va.lanewise(VectorOperators.XOR, SIGN_BIT).compare(VectorOperators.GT, firstV);
        VectorMask<Short> negativeB = vb.lanewise(VectorOperators.XOR, SIGN_BIT).compare(VectorOperators.GT, firstV);
        VectorMask<Short> a2 = ka.compare(VectorOperators.GT, c11);
        VectorMask<Short> b2 = kb.compare(VectorOperators.GT, c11);
        VectorMask<Short> a1 = ka.compare(VectorOperators.GT, c9.blend(c13, a2));
        VectorMask<Short> b1 = kb.compare(VectorOperators.GT, c9.blend(c13, b2));
        ShortVector lastA = c8.blend(c10, a1).blend(c12.blend(c14, a1), a2);
        ShortVector lastB = c8.blend(c10, b1).blend(c12.blend(c14, b1), b2);
        codeA = lastA.and((short) 15).lanewise(VectorOperators.XOR, (short) 1, ka.compare(VectorOperators.GT, lastA))
            .lanewise(VectorOperators.OR, (short) 8, negativeA);
        codeB = lastB.and((short) 15).lanewise(VectorOperators.XOR, (short) 1, kb.compare(VectorOperators.GT, lastB))
            .lanewise(VectorOperators.OR, (short) 8, negativeB);
      } else if (permuteSearch) {
        // NF4 by lane permute: the relative key and the first level as by blends (below)
        ShortVector ka = ra.lanewise(VectorOperators.XOR, va.lanewise(VectorOperators.ASHR, 15)).lanewise(VectorOperators.LSHL, 4);
        ShortVector kb = rb.lanewise(VectorOperators.XOR, vb.lanewise(VectorOperators.ASHR, 15)).lanewise(VectorOperators.LSHL, 4);
        VectorMask<Short> a3 = va.compare(VectorOperators.GT, firstV);
        VectorMask<Short> b3 = vb.compare(VectorOperators.GT, firstV);
        // the count so far picks the next cut to compare with: count + 3, + 1, + 0 after the
        // first level's 8, and a passed cut adds 4, 2, 1
        ShortVector row = ShortVector.fromArray(S, Bf16CutTable.LANES, at >> 4);
        ShortVector countA = ZERO.blend(EIGHT, a3);
        ShortVector countB = ZERO.blend(EIGHT, b3);
        countA = countA.lanewise(VectorOperators.ADD, FOUR, ka.compare(VectorOperators.GT, countA.add(THREE).selectFrom(row)));
        countB = countB.lanewise(VectorOperators.ADD, FOUR, kb.compare(VectorOperators.GT, countB.add(THREE).selectFrom(row)));
        countA = countA.lanewise(VectorOperators.ADD, TWO, ka.compare(VectorOperators.GT, countA.add(ONE).selectFrom(row)));
        countB = countB.lanewise(VectorOperators.ADD, TWO, kb.compare(VectorOperators.GT, countB.add(ONE).selectFrom(row)));
        // NF4's code is its count
        codeA = countA.lanewise(VectorOperators.ADD, ONE, ka.compare(VectorOperators.GT, countA.selectFrom(row)));
        codeB = countB.lanewise(VectorOperators.ADD, ONE, kb.compare(VectorOperators.GT, countB.selectFrom(row)));
      } else {
        // NF4: a 4-level search of the whole row (the lower half, cuts 0..6, read here) with the
        // relative key (negative inputs' bits flipped), shifted left by 4 to compare with entries
        ShortVector ka = ra.lanewise(VectorOperators.XOR, va.lanewise(VectorOperators.ASHR, 15)).lanewise(VectorOperators.LSHL, 4);
        ShortVector kb = rb.lanewise(VectorOperators.XOR, vb.lanewise(VectorOperators.ASHR, 15)).lanewise(VectorOperators.LSHL, 4);
        // the first level straight from the input, off the chain of the relative key: cut 7 is a
        // positive key, and keys of positive inputs are their bits: negative inputs are below as shorts
        VectorMask<Short> a3 = va.compare(VectorOperators.GT, firstV);
        VectorMask<Short> b3 = vb.compare(VectorOperators.GT, firstV);
        ShortVector c0 = ShortVector.fromArray(S, cuts, at + 0 * 16);
        ShortVector c1 = ShortVector.fromArray(S, cuts, at + 1 * 16);
        ShortVector c2 = ShortVector.fromArray(S, cuts, at + 2 * 16);
        ShortVector c3 = ShortVector.fromArray(S, cuts, at + 3 * 16);
        ShortVector c4 = ShortVector.fromArray(S, cuts, at + 4 * 16);
        ShortVector c5 = ShortVector.fromArray(S, cuts, at + 5 * 16);
        ShortVector c6 = ShortVector.fromArray(S, cuts, at + 6 * 16);
        // the first level's outcome is known first (straight from the input), so each lane's half
        // of the row is picked by it up front: the same 11 blends, but the later levels wait for
        // one blend less each
        VectorMask<Short> a2 = ka.compare(VectorOperators.GT, c3.blend(c11, a3));
        VectorMask<Short> b2 = kb.compare(VectorOperators.GT, c3.blend(c11, b3));
        ShortVector ha0 = c0.blend(c8, a3);
        ShortVector ha2 = c2.blend(c10, a3);
        ShortVector ha4 = c4.blend(c12, a3);
        ShortVector ha6 = c6.blend(c14, a3);
        ShortVector hb0 = c0.blend(c8, b3);
        ShortVector hb2 = c2.blend(c10, b3);
        ShortVector hb4 = c4.blend(c12, b3);
        ShortVector hb6 = c6.blend(c14, b3);
        VectorMask<Short> a1 = ka.compare(VectorOperators.GT, c1.blend(c9, a3).blend(c5.blend(c13, a3), a2));
        VectorMask<Short> b1 = kb.compare(VectorOperators.GT, c1.blend(c9, b3).blend(c5.blend(c13, b3), b2));
        ShortVector lastA = ha0.blend(ha2, a1).blend(ha4.blend(ha6, a1), a2);
        ShortVector lastB = hb0.blend(hb2, b1).blend(hb4.blend(hb6, b1), b2);
        // code: the last cut's low bits, bit 0 flipped when the key passes it
        codeA = lastA.and((short) 15).lanewise(VectorOperators.XOR, (short) 1, ka.compare(VectorOperators.GT, lastA));
        codeB = lastB.and((short) 15).lanewise(VectorOperators.XOR, (short) 1, kb.compare(VectorOperators.GT, lastB));
      }
      // nibbles: on a 32-bit lane element 2j sits in the low half, 2j+1 in the high half; the
      // narrowing keeps the low byte of each lane, so the bits shifted above it need no mask
      IntVector pairsA = codeA.reinterpretAsInts();
      IntVector pairsB = codeB.reinterpretAsInts();
      IntVector bytesA = pairsA.lanewise(VectorOperators.LSHL, 4).or(pairsA.lanewise(VectorOperators.LSHR, 16));
      IntVector bytesB = pairsB.lanewise(VectorOperators.LSHL, 4).or(pairsB.lanewise(VectorOperators.LSHR, 16));
      ((ByteVector) bytesA.convertShape(VectorOperators.I2B, ByteVector.SPECIES_64, 0)).intoArray(packed, out);
      ((ByteVector) bytesB.convertShape(VectorOperators.I2B, ByteVector.SPECIES_64, 0)).intoArray(packed, out + 8);
    }
  }
}
