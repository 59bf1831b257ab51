package dev.quarry.kernels;

import java.nio.ByteBuffer;

/** Quantizes consecutive pieces of one tensor to 4 bits; not thread-safe (owns scratch arrays of bounded size). */
public final class FourBitQuantizer {
  /** Elements per kernel call: a multiple of every blocksize, so chunks never split a block. */
  static final int CHUNK_ELEMENTS = 1 << 16;

  private final KernelSupport kernels;
  private final FourBitFormat format;
  private final ElementType type;
  private final int blocksize;
  private final short[] sixteenBitChunk;
  private final float[] floatChunk;
  private final byte[] packedChunk = new byte[CHUNK_ELEMENTS / 2];
  private final float[] absmaxChunk;
  private final ExactSum absmaxSum = new ExactSum();

  public FourBitQuantizer(KernelSupport kernels, FourBitFormat format, ElementType type, int blocksize) {
    this.kernels = kernels;
    this.format = format;
    this.type = type;
    this.blocksize = Blocksize.check(blocksize);
    this.sixteenBitChunk = type == ElementType.F32 ? null : new short[CHUNK_ELEMENTS];
    this.floatChunk = type == ElementType.F32 ? new float[CHUNK_ELEMENTS] : null;
    this.absmaxChunk = new float[CHUNK_ELEMENTS / blocksize];
  }

  /**
   * Reads n little-endian elements from src (at its position), writes ceil(n/2) packed bytes to
   * packedOut and ceil(n/blocksize) float32 little-endian absmax values to absmaxOut; advances all
   * three buffers' positions. n must be a multiple of blocksize (and even) except for a tensor's
   * last piece. Also adds every absmax to {@link #absmaxSum()}. Works in chunks of
   * {@value #CHUNK_ELEMENTS} elements, never copying all n.
   */
  public void quantize(ByteBuffer src, long n, ByteBuffer packedOut, ByteBuffer absmaxOut) {
    if (n < 0) {
      throw new IllegalArgumentException("negative element count " + n);
    }
    for (long done = 0; done < n; ) {
      int length = (int) Math.min(CHUNK_ELEMENTS, n - done);
      int blocks = (length + blocksize - 1) / blocksize;
      if (type == ElementType.F32) {
        LittleEndian.read(src, floatChunk, length);
        kernels.quantize4Bit(format, floatChunk, 0, length, blocksize, packedChunk, 0, absmaxChunk, 0);
      } else {
        LittleEndian.read(src, sixteenBitChunk, length);
        kernels.quantize4Bit(format, type, sixteenBitChunk, 0, length, blocksize, packedChunk, 0, absmaxChunk, 0);
      }
      packedOut.put(packedChunk, 0, (length + 1) / 2);
      LittleEndian.write(absmaxOut, absmaxChunk, blocks);
      absmaxSum.add(absmaxChunk, 0, blocks);
      done += length;
    }
  }

  /**
   * Reads n elements from src (at its position, advanced) and adds the absmax of each of their
   * blocks to {@link #absmaxSum()}, as {@link #quantize} would, without computing codes: the scan of
   * double quantization, which fixes each tensor's offset before the codes are written. Returns
   * whether a value was NaN or ±inf.
   */
  public boolean scanAbsmax(ByteBuffer src, long n) {
    boolean nonFinite = false;
    for (long done = 0; done < n; ) {
      int length = (int) Math.min(CHUNK_ELEMENTS, n - done);
      int blocks = (length + blocksize - 1) / blocksize;
      if (type == ElementType.F32) {
        LittleEndian.read(src, floatChunk, length);
        nonFinite |= kernels.absmax4Bit(floatChunk, 0, length, blocksize, absmaxChunk, 0);
      } else {
        LittleEndian.read(src, sixteenBitChunk, length);
        nonFinite |= kernels.absmax4Bit(type, sixteenBitChunk, 0, length, blocksize, absmaxChunk, 0);
      }
      absmaxSum.add(absmaxChunk, 0, blocks);
      done += length;
    }
    return nonFinite;
  }

  /** The exact sum of every absmax this quantizer has computed: its mean is the double-quant offset. */
  public ExactSum absmaxSum() {
    return absmaxSum;
  }
}
