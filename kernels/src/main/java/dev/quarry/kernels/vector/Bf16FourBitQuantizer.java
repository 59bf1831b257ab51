package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
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
 * <p>Written for C2, so that every Vector API call compiles to vector instructions in every run:
 * the code loop's calls take no vectors (each search reads its input and cut rows and stores a
 * step's codes to an array, which {@link Nibbles} packs from there; prepare and the scalar fallback
 * take arrays and ints), and no vector value is merged from two branches or carried around the
 * loop. A call C2 does not inline boxes the vectors passed to it, and so does a merge of vectors
 * whose branches the profile has not pruned, which depends on how much profile C2 had when it
 * compiled the loop: with the three searches' codes merged before one packing, some runs (at
 * random) compiled the loop allocating a vector per operation, 3x slower. The search reads the cut
 * rows afresh at each step, since C2 would otherwise hoist the 15 cut vectors of a block out of an
 * inner loop and spill them.
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
  private static final ShortVector FIFTEEN = ShortVector.broadcast(S, (short) 15);

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
    // a step's codes, from its search to the packing
    short[] codes = new short[STEP];
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
      if (signCut) {
        fp4Codes(x, i, cuts, at, floor, firstLevel, codes);
      } else if (permuteSearch) {
        nf4PermuteCodes(x, i, cuts, at, floor, firstLevel, codes);
      } else {
        nf4BlendCodes(x, i, cuts, at, floor, firstLevel, codes);
      }
      Nibbles.pack(codes, 0, packed, out);
      Nibbles.pack(codes, 16, packed, out + 8);
    }
  }

  /** How far the magnitudes lie above the block's floor (merged below it). */
  private static ShortVector aboveFloor(ShortVector v, ShortVector floor) {
    return v.and(MAGNITUDE_BITS).max(floor).sub(floor);
  }

  /** NF4's relative key: above the floor, negative inputs' bits flipped, shifted left by 4 to compare with the cuts. */
  private static ShortVector nf4Key(ShortVector v, ShortVector floor) {
    return aboveFloor(v, floor).lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.ASHR, 15))
        .lanewise(VectorOperators.LSHL, 4);
  }

  /**
   * FP4: sign | code of the magnitude's rank (FourBitCoder), the rank by a 3-level search of the
   * row's positive half (cuts 8..14: the 7 magnitude thresholds, cut 8 + r passed by ranks above r)
   * with the magnitude's key, as positive inputs have.
   */
  private static void fp4Codes(short[] x, int i, short[] cuts, int at, int floor, int firstLevel,
      short[] codes) {
    ShortVector floorV = ShortVector.broadcast(S, (short) floor);
    ShortVector firstV = ShortVector.broadcast(S, (short) firstLevel);
    ShortVector va = ShortVector.fromArray(S, x, i);
    ShortVector vb = ShortVector.fromArray(S, x, i + 16);
    ShortVector ka = aboveFloor(va, floorV).lanewise(VectorOperators.LSHL, 4);
    ShortVector kb = aboveFloor(vb, floorV).lanewise(VectorOperators.LSHL, 4);
    ShortVector c8 = ShortVector.fromArray(S, cuts, at + 8 * 16);
    ShortVector c9 = ShortVector.fromArray(S, cuts, at + 9 * 16);
    ShortVector c10 = ShortVector.fromArray(S, cuts, at + 10 * 16);
    ShortVector c11 = ShortVector.fromArray(S, cuts, at + 11 * 16);
    ShortVector c12 = ShortVector.fromArray(S, cuts, at + 12 * 16);
    ShortVector c13 = ShortVector.fromArray(S, cuts, at + 13 * 16);
    ShortVector c14 = ShortVector.fromArray(S, cuts, at + 14 * 16);
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
    lastA.and(FIFTEEN).lanewise(VectorOperators.XOR, ZERO.blend(ONE, ka.compare(VectorOperators.GT, lastA)))
        .or(ZERO.blend(EIGHT, negativeA)).intoArray(codes, 0);
    lastB.and(FIFTEEN).lanewise(VectorOperators.XOR, ZERO.blend(ONE, kb.compare(VectorOperators.GT, lastB)))
        .or(ZERO.blend(EIGHT, negativeB)).intoArray(codes, 16);
  }

  /**
   * NF4 by lane permute: the first level as by blends ({@link #nf4BlendCodes}); then the count so far
   * picks the next cut to compare with: count + 3, + 1, + 0 after the first level's 8, and a passed
   * cut adds 4, 2, 1. NF4's code is its count.
   */
  private static void nf4PermuteCodes(short[] x, int i, short[] cuts, int at, int floor, int firstLevel,
      short[] codes) {
    ShortVector floorV = ShortVector.broadcast(S, (short) floor);
    ShortVector firstV = ShortVector.broadcast(S, (short) firstLevel);
    ShortVector va = ShortVector.fromArray(S, x, i);
    ShortVector vb = ShortVector.fromArray(S, x, i + 16);
    ShortVector ka = nf4Key(va, floorV);
    ShortVector kb = nf4Key(vb, floorV);
    ShortVector row = ShortVector.fromArray(S, Bf16CutTable.LANES, at >> 4);
    ShortVector countA = ZERO.blend(EIGHT, va.compare(VectorOperators.GT, firstV));
    ShortVector countB = ZERO.blend(EIGHT, vb.compare(VectorOperators.GT, firstV));
    countA = countA.add(ZERO.blend(FOUR, ka.compare(VectorOperators.GT, countA.add(THREE).selectFrom(row))));
    countB = countB.add(ZERO.blend(FOUR, kb.compare(VectorOperators.GT, countB.add(THREE).selectFrom(row))));
    countA = countA.add(ZERO.blend(TWO, ka.compare(VectorOperators.GT, countA.add(ONE).selectFrom(row))));
    countB = countB.add(ZERO.blend(TWO, kb.compare(VectorOperators.GT, countB.add(ONE).selectFrom(row))));
    countA.add(ZERO.blend(ONE, ka.compare(VectorOperators.GT, countA.selectFrom(row)))).intoArray(codes, 0);
    countB.add(ZERO.blend(ONE, kb.compare(VectorOperators.GT, countB.selectFrom(row)))).intoArray(codes, 16);
  }

  /**
   * NF4: a 4-level search of the whole row with the relative key. The first level straight from the
   * input, off the chain of the relative key: cut 7 is a positive key, and keys of positive inputs
   * are their bits; negative inputs are below as shorts. Its outcome is known first, so each lane's
   * half of the row is picked by it up front: the same 11 blends, but the later levels wait for one
   * blend less each. The code: the last cut's low bits, bit 0 flipped when the key passes it.
   */
  private static void nf4BlendCodes(short[] x, int i, short[] cuts, int at, int floor, int firstLevel,
      short[] codes) {
    ShortVector floorV = ShortVector.broadcast(S, (short) floor);
    ShortVector firstV = ShortVector.broadcast(S, (short) firstLevel);
    ShortVector va = ShortVector.fromArray(S, x, i);
    ShortVector vb = ShortVector.fromArray(S, x, i + 16);
    ShortVector ka = nf4Key(va, floorV);
    ShortVector kb = nf4Key(vb, floorV);
    VectorMask<Short> a3 = va.compare(VectorOperators.GT, firstV);
    VectorMask<Short> b3 = vb.compare(VectorOperators.GT, firstV);
    ShortVector c0 = ShortVector.fromArray(S, cuts, at + 0 * 16);
    ShortVector c1 = ShortVector.fromArray(S, cuts, at + 1 * 16);
    ShortVector c2 = ShortVector.fromArray(S, cuts, at + 2 * 16);
    ShortVector c3 = ShortVector.fromArray(S, cuts, at + 3 * 16);
    ShortVector c4 = ShortVector.fromArray(S, cuts, at + 4 * 16);
    ShortVector c5 = ShortVector.fromArray(S, cuts, at + 5 * 16);
    ShortVector c6 = ShortVector.fromArray(S, cuts, at + 6 * 16);
    ShortVector c8 = ShortVector.fromArray(S, cuts, at + 8 * 16);
    ShortVector c9 = ShortVector.fromArray(S, cuts, at + 9 * 16);
    ShortVector c10 = ShortVector.fromArray(S, cuts, at + 10 * 16);
    ShortVector c11 = ShortVector.fromArray(S, cuts, at + 11 * 16);
    ShortVector c12 = ShortVector.fromArray(S, cuts, at + 12 * 16);
    ShortVector c13 = ShortVector.fromArray(S, cuts, at + 13 * 16);
    ShortVector c14 = ShortVector.fromArray(S, cuts, at + 14 * 16);
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
    lastA.and(FIFTEEN).lanewise(VectorOperators.XOR, ZERO.blend(ONE, ka.compare(VectorOperators.GT, lastA))).intoArray(codes, 0);
    lastB.and(FIFTEEN).lanewise(VectorOperators.XOR, ZERO.blend(ONE, kb.compare(VectorOperators.GT, lastB))).intoArray(codes, 16);
  }
}
