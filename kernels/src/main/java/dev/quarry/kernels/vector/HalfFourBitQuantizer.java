package dev.quarry.kernels.vector;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit quantization of float16 input with per-element work that is pure 16-bit integer
 * (bfloat16 input has {@link Bf16FourBitQuantizer}, whose table by absmax mantissa does not carry
 * over to float16's 10 mantissa bits and subnormals): each block's cut points are moved to input keys once ({@link CutKeys}), then a code is
 * a binary search over the 15 cut keys ({@link CutSearch}), 16 elements per 256-bit vector.
 * Blocks are handled a chunk at a time (the absmax of every block, then each block's codes) so
 * that the reductions of many blocks overlap. Cut keys depend only on the absmax, of which a
 * weight tensor has few distinct values, so they come from a {@link CutCache}. A block outside the fast
 * path's range (NaN, inf, zero, tiny or huge absmax) and a short last block go to the scalar
 * reference.
 */
final class HalfFourBitQuantizer {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int CHUNK_ELEMENTS = 4096;

  private final FourBitFormat format;
  private final HalfType type = HalfType.F16;
  private final CutKeys cutKeys;
  private final KernelSupport fallback;
  private final CutSearch search;

  HalfFourBitQuantizer(FourBitFormat format, KernelSupport fallback) {
    this.format = format;
    this.cutKeys = new CutKeys(format, type);
    this.fallback = fallback;
    this.search = new CutSearch(format);
  }

  void quantize(short[] x, int xOff, int n, int blocksize, byte[] packed, int packedOff,
      float[] absmax, int absmaxOff) {
    int fullBlocks = n / blocksize;
    int chunkBlocks = Math.max(1, CHUNK_ELEMENTS / blocksize);
    int[] magnitude = new int[chunkBlocks];
    CutCache cache = new CutCache(cutKeys, type);
    short[] codes = new short[S.length()];
    for (int first = 0; first < fullBlocks; first += chunkBlocks) {
      int blocks = Math.min(chunkBlocks, fullBlocks - first);
      for (int k = 0; k < blocks; k++) {
        magnitude[k] = MaxMagnitude.of(x, xOff + (first + k) * blocksize, blocksize);
      }
      for (int k = 0; k < blocks; k++) {
        int block = first + k;
        int start = block * blocksize;
        if (type.isFast(magnitude[k])) {
          absmax[absmaxOff + block] = type.widen(magnitude[k]);
          encodeBlock(x, xOff + start, blocksize, cache.wide(), cache.slot(magnitude[k]), codes, packed,
              packedOff + start / 2);
        } else {
          scalarBlocks(x, xOff, start, blocksize, blocksize, packed, packedOff, absmax, absmaxOff + block);
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
    fallback.quantize4Bit(format, type.elementType(), x, xOff + start, length, blocksize,
        packed, packedOff + start / 2, absmax, absmaxAt);
  }

  /** Codes of one fast block whose spread cut keys start at {@code wide[c]}, through {@code codes} (16 shorts of scratch). */
  private void encodeBlock(short[] x, int off, int blocksize, short[] wide, int c, short[] codes, byte[] packed,
      int packedAt) {
    for (int i = 0; i < blocksize; i += S.length()) {
      ShortVector v = ShortVector.fromArray(S, x, off + i);
      ShortVector key = v.lanewise(VectorOperators.ASHR, 15).and((short) 0x7fff).lanewise(VectorOperators.XOR, v);
      search.code(key, wide, c).intoArray(codes, 0);
      Nibbles.pack(codes, 0, packed, packedAt + i / 2);
    }
  }
}
