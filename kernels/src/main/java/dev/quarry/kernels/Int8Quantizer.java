package dev.quarry.kernels;

import java.nio.ByteBuffer;

/** LLM.int8 row-wise quantization of consecutive rows of one tensor; not thread-safe (owns scratch arrays). */
public final class Int8Quantizer {
  /** Target elements per kernel call; a chunk always holds whole rows (at least one). */
  static final int CHUNK_ELEMENTS = 1 << 16;

  private final KernelSupport kernels;
  private final ElementType type;
  private final int cols;
  private final int rowsPerChunk;
  private final short[] sixteenBitChunk;
  private final float[] floatChunk;
  private final byte[] qChunk;
  private final float[] scbChunk;

  public Int8Quantizer(KernelSupport kernels, ElementType type, int cols) {
    if (cols <= 0) {
      throw new IllegalArgumentException("cols " + cols + " must be positive");
    }
    this.kernels = kernels;
    this.type = type;
    this.cols = cols;
    this.rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / cols);
    int chunkElements = rowsPerChunk * cols;
    this.sixteenBitChunk = type == ElementType.F32 ? null : new short[chunkElements];
    this.floatChunk = type == ElementType.F32 ? new float[chunkElements] : null;
    this.qChunk = new byte[chunkElements];
    this.scbChunk = new float[rowsPerChunk];
  }

  /**
   * rows*cols elements in → rows*cols int8 out, rows float32 LE SCB out; advances all buffers.
   *
   * @throws Float16OverflowException with the element index relative to the start of this call
   */
  public void quantizeRows(ByteBuffer src, long rows, ByteBuffer qOut, ByteBuffer scbOut) {
    if (rows < 0) {
      throw new IllegalArgumentException("negative row count " + rows);
    }
    for (long done = 0; done < rows; ) {
      int chunkRows = (int) Math.min(rowsPerChunk, rows - done);
      int length = chunkRows * cols;
      try {
        if (type == ElementType.F32) {
          LittleEndian.read(src, floatChunk, length);
          kernels.quantizeInt8Rows(floatChunk, 0, chunkRows, cols, qChunk, 0, scbChunk, 0);
        } else {
          LittleEndian.read(src, sixteenBitChunk, length);
          kernels.quantizeInt8Rows(type, sixteenBitChunk, 0, chunkRows, cols, qChunk, 0, scbChunk, 0);
        }
      } catch (Float16OverflowException e) {
        throw OverflowIndex.shift(e, done * cols);
      }
      qOut.put(qChunk, 0, length);
      LittleEndian.write(scbOut, scbChunk, chunkRows);
      done += chunkRows;
    }
  }
}
