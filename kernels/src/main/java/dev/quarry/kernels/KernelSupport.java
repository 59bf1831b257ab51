package dev.quarry.kernels;

/**
 * The hot loops of quantization, over plain arrays. Two implementations compute byte-identical
 * results: {@code ScalarKernelSupport}, the readable reference that is always available, and
 * the Vector API one in {@code dev.quarry.kernels.vector}. {@link Kernels#get()} picks one at
 * startup. Implementations are stateless and thread-safe.
 *
 * <p>16-bit inputs are the raw bit patterns ({@link ElementType#BF16} or {@link ElementType#F16});
 * float32 inputs are floats. A call's first element always starts a quantization block (4-bit)
 * or a row (int8), so a tensor processed in pieces concatenates to the whole-tensor result.
 */
public interface KernelSupport {

  /** A short name for logs ("scalar", "vector-256"). */
  String name();

  /**
   * 4-bit blockwise quantization ({@code bnb-exact.md} §1–2) of {@code n} elements
   * {@code x[xOff, xOff + n)}: writes {@code ceil(n / 2)} packed bytes to
   * {@code packed[packedOff...]} and {@code ceil(n / blocksize)} float32 absmax values to
   * {@code absmax[absmaxOff...]}. Only the last piece of a tensor may have an odd {@code n} or a
   * short last block.
   */
  void quantize4Bit(FourBitFormat format, ElementType type, short[] x, int xOff, int n, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff);

  /** {@link #quantize4Bit(FourBitFormat, ElementType, short[], int, int, int, byte[], int, float[], int)} for float32 input. */
  void quantize4Bit(FourBitFormat format, float[] x, int xOff, int n, int blocksize,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff);

  /**
   * The absmax of each block of {@code x[xOff, xOff + n)} exactly as {@link #quantize4Bit} computes it
   * (FTZ, NaN skipped, a short last block padded with zeros), without the codes: the scan that fixes
   * the double-quant offset before any code is written reads only this.
   *
   * @return whether a value was NaN or ±inf: the scan checks the input in the same sweep
   */
  boolean absmax4Bit(ElementType type, short[] x, int xOff, int n, int blocksize, float[] absmax, int absmaxOff);

  /** {@link #absmax4Bit(ElementType, short[], int, int, int, float[], int)} of float32 input. */
  boolean absmax4Bit(float[] x, int xOff, int n, int blocksize, float[] absmax, int absmaxOff);

  /**
   * LLM.int8 row-wise quantization ({@code bnb-exact.md} §4) of {@code rows × cols} elements:
   * writes {@code rows × cols} int8 codes to {@code q[qOff...]} and one float32 SCB per row to
   * {@code scb[scbOff...]}.
   *
   * @throws Float16OverflowException when an element does not fit in float16
   */
  void quantizeInt8Rows(ElementType type, short[] x, int xOff, int rows, int cols,
      byte[] q, int qOff, float[] scb, int scbOff);

  /** {@link #quantizeInt8Rows(ElementType, short[], int, int, int, byte[], int, float[], int)} for float32 input. */
  void quantizeInt8Rows(float[] x, int xOff, int rows, int cols,
      byte[] q, int qOff, float[] scb, int scbOff);

  /**
   * Casts {@code n} elements to float16 bit patterns, round to nearest even (int8-training, §5).
   *
   * @throws Float16OverflowException when an element does not fit in float16
   */
  void castToFloat16(ElementType type, short[] x, int xOff, int n, short[] out, int outOff);

  /** {@link #castToFloat16(ElementType, short[], int, int, short[], int)} for float32 input. */
  void castToFloat16(float[] x, int xOff, int n, short[] out, int outOff);

  /**
   * Double quantization ({@code bnb-exact.md} §3 steps 2–3) of {@code n} float32 absmax values
   * {@code absmax[off, off + n)} in nested blocks of {@value NestedAbsmaxQuantizer#NESTED_BLOCKSIZE}:
   * each value minus {@code offset} to a uint8 code of the {@link DynamicMap}, written to
   * {@code codes[codesOff...]}, and one float32 nested absmax per nested block, written to
   * {@code nestedAbsmax[nestedOff...]}. The input is left as it is. Only the last piece of a
   * tensor may end in a short nested block.
   */
  void quantizeNestedAbsmax(float[] absmax, int off, int n, float offset, byte[] codes, int codesOff,
      float[] nestedAbsmax, int nestedOff);

  /**
   * The error of 4-bit quantization: {@code n} input elements ({@link ElementBytes} from byte
   * {@code xOff} of {@code x}) against their codes {@code packed[packedOff...]} dequantized with
   * {@code absmax[absmaxOff...]} as {@link Dequantizer#fourBit} does. Groups of {@code group}
   * elements (a multiple of the blocksize; the last group may be shorter), summed as
   * {@link LaneSquares} defines, into {@code out}.
   */
  void fourBitError(FourBitFormat format, ElementType type, byte[] x, int xOff, int n, int blocksize, int group,
      byte[] packed, int packedOff, float[] absmax, int absmaxOff, GroupSquares out);

  /**
   * The error of int8 rows: {@code rows × cols} input elements against their codes
   * {@code q[qOff...]} dequantized with {@code scb[scbOff...]} as {@link Dequantizer#int8Rows} does.
   * One group per row.
   */
  void int8RowsError(ElementType type, byte[] x, int xOff, int rows, int cols, byte[] q, int qOff,
      float[] scb, int scbOff, GroupSquares out);

  /**
   * The error of the float16 cast: {@code n} input elements against the float16 values
   * (little-endian) from byte {@code f16Off} of {@code f16}, in groups of {@code group} elements (the last one may be shorter).
   */
  void castError(ElementType type, byte[] x, int xOff, int n, byte[] f16, int f16Off, int group, GroupSquares out);
}
