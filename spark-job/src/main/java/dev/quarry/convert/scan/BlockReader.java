package dev.quarry.convert.scan;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.read.Fp8Scales;
import dev.quarry.kernels.BlockFp8;
import dev.quarry.quantize.NonFiniteValues;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Streams the elements of one {@link BlockTask} in chunks (positioned reads into one reused buffer)
 * in the order they are quantized, and rejects NaN and ±inf (when asked). A transposed (Conv1D) tensor is read a
 * chunk of output rows at a time: one positioned read per input row, then transposed in memory. A
 * block-FP8 weight is read as its F8_E4M3 codes and the scales of the block rows they span, and
 * dequantized to bfloat16 into the chunk ({@link BlockFp8}): no bfloat16 copy of it exists anywhere else.
 */
public final class BlockReader implements Closeable {
  /**
   * Elements per chunk at most (unless one aligned unit is larger): 128 KiB of bf16, so that the
   * chunk is still in the core's cache when the error of its codes is measured right after them.
   */
  public static final long CHUNK_ELEMENTS = 1 << 16;

  private final BlockTask task;
  private final boolean rejectNonFinite;
  private final FSDataInputStream in;
  private final int elementBytes;
  private final ByteBuffer buffer;
  private final byte[] inputRow;
  /** A block-FP8 weight's codes of one chunk; the scales of one row of blocks, their bytes, and which row. */
  private final byte[] codes;
  private final float[] rowScales;
  private final byte[] rowScaleBytes;
  private long scaleRow = -1;
  private final FSDataInputStream scaleIn;
  private long done;
  private long chunkStart;

  /**
   * @param rejectNonFinite whether to scan for NaN and ±inf: not where the scan pass has already
   *                        (a second NaN scan would cost a read of every element)
   */
  public BlockReader(FileSystem fs, BlockTask task, boolean rejectNonFinite) throws IOException {
    this.task = task;
    this.rejectNonFinite = rejectNonFinite;
    this.elementBytes = task.type().byteSize();
    long chunk = Math.max(task.chunkAlign(), CHUNK_ELEMENTS / task.chunkAlign() * task.chunkAlign());
    chunk = Math.min(chunk, task.elementCount());
    this.buffer = ByteBuffer.allocate(Math.toIntExact(chunk * elementBytes)).order(ByteOrder.LITTLE_ENDIAN);
    this.inputRow = task.transposed() ? new byte[Math.toIntExact(chunk / task.rows() * elementBytes)] : null;
    this.in = fs.open(new Path(task.file()));
    Fp8Scales fp8 = task.fp8();
    this.codes = fp8 == null ? null : new byte[Math.toIntExact(chunk)];
    this.rowScales = fp8 == null ? null : new float[Math.toIntExact(fp8.gridCols())];
    this.rowScaleBytes = fp8 == null ? null : new byte[rowScales.length * Float.BYTES];
    this.scaleIn = fp8 == null ? null : fp8.file().equals(task.file()) ? in : fs.open(new Path(fp8.file()));
  }

  /** The next chunk (position 0, limit = its bytes), or null after the last one. */
  public ByteBuffer next() throws IOException {
    long remaining = task.elementCount() - done;
    if (remaining <= 0) {
      return null;
    }
    int count = (int) Math.min(buffer.capacity() / elementBytes, remaining);
    chunkStart = task.firstElement() + done;
    buffer.clear();
    buffer.limit(count * elementBytes);
    if (task.transposed()) {
      readTransposed(count);
    } else if (task.fp8() != null) {
      readFp8(count);
    } else {
      in.readFully(task.dataOffset() + chunkStart * elementBytes, buffer.array(), 0, count * elementBytes);
    }
    done += count;
    if (rejectNonFinite) {
      NonFiniteValues.check(buffer, task.type(), task.file(), task.tensor(), chunkStart);
    }
    return buffer;
  }

  /**
   * Output rows r0 .. r0+k of the transpose of an input [rows, cols] are input columns r0 .. r0+k:
   * for each input row i, k consecutive elements at (i * cols + r0), scattered to (j * rows + i).
   */
  private void readTransposed(int count) throws IOException {
    long rows = task.rows();
    long firstOutputRow = chunkStart / rows;
    int k = (int) (count / rows);
    int segment = k * elementBytes;
    byte[] out = buffer.array();
    for (long i = 0; i < rows; i++) {
      in.readFully(task.dataOffset() + (i * task.cols() + firstOutputRow) * elementBytes, inputRow, 0, segment);
      for (int j = 0; j < k; j++) {
        System.arraycopy(inputRow, j * elementBytes, out, (int) ((j * rows + i) * elementBytes), elementBytes);
      }
    }
  }

  /** The chunk's codes, row by row of the weight, each run dequantized with the scales of its row of blocks. */
  private void readFp8(int count) throws IOException {
    Fp8Scales fp8 = task.fp8();
    in.readFully(task.dataOffset() + chunkStart, codes, 0, count);
    long cols = task.cols();
    long end = chunkStart + count;
    for (long first = chunkStart; first < end; ) {
      long row = first / cols;
      long last = Math.min(end, (row + 1) * cols);
      long gridRow = row / fp8.blockRows();
      if (gridRow != scaleRow) {
        scaleIn.readFully(fp8.dataOffset() + gridRow * rowScaleBytes.length, rowScaleBytes);
        ByteBuffer.wrap(rowScaleBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(rowScales);
        scaleRow = gridRow;
      }
      int at = (int) (first - chunkStart);
      BlockFp8.dequantizeRow(codes, at, (int) (last - first), first - row * cols, rowScales, fp8.blockCols(),
          buffer.array(), at * elementBytes);
      first = last;
    }
  }

  /** Index (in the tensor as quantized) of the first element of the chunk last returned. */
  public long chunkStart() {
    return chunkStart;
  }

  @Override
  public void close() throws IOException {
    in.close();
    if (scaleIn != null && scaleIn != in) {
      scaleIn.close();
    }
  }
}
