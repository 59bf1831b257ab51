package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit quantization of bfloat16 input with per-element work that is pure 16-bit integer: each
 * block's cut points are moved to input keys once ({@link Bf16Cutoffs}), then a code is a sum of
 * 15 key compares, 16 elements per 256-bit vector. Blocks are handled a chunk at a time (absmax of
 * every block, then every block's cuts, then the codes) so the per-block scalar work of one block
 * overlaps the vector work of others. A block outside the fast path's range (NaN, inf, zero, tiny
 * or huge absmax) and a short last block go to the scalar reference.
 */
final class Bf16FourBitQuantizer {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int CHUNK_ELEMENTS = 4096;

  private final FourBitFormat format;
  private final Bf16Cutoffs cutoffs;
  private final KernelSupport fallback;
  private final boolean mapCountToCode;

  Bf16FourBitQuantizer(FourBitFormat format, KernelSupport fallback) {
    this.format = format;
    this.cutoffs = new Bf16Cutoffs(format);
    this.fallback = fallback;
    // NF4's code is the count itself; FP4's is a permutation of it (FourBitCuts)
    this.mapCountToCode = FourBitCuts.of(format).baseCode() != 0;
  }

  void quantize(short[] x, int xOff, int n, int blocksize, byte[] packed, int packedOff,
      float[] absmax, int absmaxOff) {
    int fullBlocks = n / blocksize;
    int chunkBlocks = Math.max(1, CHUNK_ELEMENTS / blocksize);
    int[] cut = new int[chunkBlocks * Bf16Cutoffs.STRIDE];
    int[] magnitude = new int[chunkBlocks];
    for (int first = 0; first < fullBlocks; first += chunkBlocks) {
      int blocks = Math.min(chunkBlocks, fullBlocks - first);
      for (int k = 0; k < blocks; k++) {
        magnitude[k] = Bf16Magnitudes.max(x, xOff + (first + k) * blocksize, blocksize);
      }
      for (int k = 0; k < blocks; k++) {
        int block = first + k;
        if (Bf16Cutoffs.isFast(magnitude[k])) {
          float a = Float.intBitsToFloat(magnitude[k] << 16);
          absmax[absmaxOff + block] = a;
          cutoffs.compute(a, Bf16Reciprocal.of(magnitude[k]), cut, k * Bf16Cutoffs.STRIDE);
        } else {
          scalarBlocks(x, xOff, block * blocksize, blocksize, blocksize, packed, packedOff, absmax, absmaxOff + block);
        }
      }
      for (int k = 0; k < blocks; k++) {
        if (Bf16Cutoffs.isFast(magnitude[k])) {
          int start = (first + k) * blocksize;
          encodeBlock(x, xOff + start, blocksize, cut, k * Bf16Cutoffs.STRIDE, packed, packedOff + start / 2);
        }
      }
    }
    int done = fullBlocks * blocksize;
    if (done < n) {
      scalarBlocks(x, xOff, done, n - done, blocksize, packed, packedOff, absmax, absmaxOff + fullBlocks);
    }
  }

  private void scalarBlocks(short[] x, int xOff, int start, int length, int blocksize, byte[] packed,
      int packedOff, float[] absmax, int absmaxAt) {
    fallback.quantize4Bit(format, ElementType.BF16, x, xOff + start, length, blocksize,
        packed, packedOff + start / 2, absmax, absmaxAt);
  }

  private void encodeBlock(short[] x, int off, int blocksize, int[] cut, int c, byte[] packed, int packedAt) {
    ShortVector c0 = ShortVector.broadcast(S, (short) cut[c]);
    ShortVector c1 = ShortVector.broadcast(S, (short) cut[c + 1]);
    ShortVector c2 = ShortVector.broadcast(S, (short) cut[c + 2]);
    ShortVector c3 = ShortVector.broadcast(S, (short) cut[c + 3]);
    ShortVector c4 = ShortVector.broadcast(S, (short) cut[c + 4]);
    ShortVector c5 = ShortVector.broadcast(S, (short) cut[c + 5]);
    ShortVector c6 = ShortVector.broadcast(S, (short) cut[c + 6]);
    ShortVector c7 = ShortVector.broadcast(S, (short) cut[c + 7]);
    ShortVector c8 = ShortVector.broadcast(S, (short) cut[c + 8]);
    ShortVector c9 = ShortVector.broadcast(S, (short) cut[c + 9]);
    ShortVector c10 = ShortVector.broadcast(S, (short) cut[c + 10]);
    ShortVector c11 = ShortVector.broadcast(S, (short) cut[c + 11]);
    ShortVector c12 = ShortVector.broadcast(S, (short) cut[c + 12]);
    ShortVector c13 = ShortVector.broadcast(S, (short) cut[c + 13]);
    ShortVector c14 = ShortVector.broadcast(S, (short) cut[c + 14]);
    for (int i = 0; i < blocksize; i += S.length()) {
      ShortVector v = ShortVector.fromArray(S, x, off + i);
      ShortVector key = v.lanewise(VectorOperators.ASHR, 15).and((short) 0x7fff).lanewise(VectorOperators.XOR, v);
      ShortVector count = above(key, c0).add(above(key, c1)).add(above(key, c2)).add(above(key, c3))
          .add(above(key, c4)).add(above(key, c5)).add(above(key, c6)).add(above(key, c7))
          .add(above(key, c8)).add(above(key, c9)).add(above(key, c10)).add(above(key, c11))
          .add(above(key, c12)).add(above(key, c13)).add(above(key, c14)).neg();
      ShortVector code = mapCountToCode ? Fp4Codes.ofCount(count) : count;
      Nibbles.pack(code, packed, packedAt + i / 2);
    }
  }

  /** -1 in the lanes whose key is above the cut, 0 elsewhere. */
  private static ShortVector above(ShortVector key, ShortVector cut) {
    return (ShortVector) key.compare(VectorOperators.GT, cut).toVector();
  }
}
