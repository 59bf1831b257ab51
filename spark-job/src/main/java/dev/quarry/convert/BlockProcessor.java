package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.kernels.Float16Caster;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.Int8Quantizer;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import dev.quarry.quantize.InvalidTensorValueException;
import dev.quarry.quantize.NonFiniteValueException;
import dev.quarry.quality.ErrorMeter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Runs the kernels over one {@link BlockTask} on an executor and writes its results to a staging
 * file of its own: the primary bytes as they are produced, then the (small) per-block or per-row
 * constants. The file name carries the task attempt, so a retried or speculative attempt never
 * touches another's file (on an object store, where files appear whole, attempts write the same
 * bytes to one name: {@link StagedBlocks#dataPath}).
 */
final class BlockProcessor {
  private BlockProcessor() {}

  /**
   * Quantizes the block and commits its file ({@link StagedBlocks}). NaN or ±inf fail the task
   * unless {@code allowNonFinite}: then the result only says what was found.
   */
  static BlockResult process(BlockTask task, String stagingDir, long attemptId, boolean allowNonFinite)
      throws IOException {
    Path path = StagedBlocks.dataPath(stagingDir, "block", task.blockId(), attemptId);
    FileSystem inFs = FileSystems.forPath(new Path(task.file()));
    FileSystem outFs = FileSystems.forPath(path);
    KernelSupport kernels = Kernels.get();
    BlockResult result;
    try (BlockReader reader = new BlockReader(inFs, task); OutputStream out = NamedOutputStream.create(outFs, path, true)) {
      if (task.action() == TensorAction.CAST) {
        result = cast(task, kernels, reader, out, path.toString());
      } else {
        result = task.mode().isFourBit() ? fourBit(task, kernels, reader, out, path.toString())
            : int8(task, kernels, reader, out, path.toString());
      }
    } catch (NonFiniteValueException e) {
      if (!allowNonFinite) {
        throw e;
      }
      outFs.delete(path, false);
      return BlockResult.nonFinite(task.blockId(), e.problem());
    }
    return StagedBlocks.commit(outFs, stagingDir, "block", result);
  }

  private static BlockResult fourBit(BlockTask task, KernelSupport kernels, BlockReader reader, OutputStream out,
      String path) throws IOException {
    FourBitQuantizer quantizer = new FourBitQuantizer(kernels, task.mode().fourBitFormat(), task.type(), task.blocksize());
    long blocks = (task.elementCount() + task.blocksize() - 1) / task.blocksize();
    ByteBuffer absmax = allocate(blocks * 4);
    ByteBuffer packed = allocate((BlockReader.CHUNK_ELEMENTS + task.chunkAlign() + 1) / 2);
    ErrorMeter errors = new ErrorMeter(task.type());
    long packedBytes = 0;
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      packed.clear();
      int n = chunk.remaining() / task.type().byteSize();
      int absmaxFirst = absmax.position() / 4;
      quantizer.quantize(chunk, n, packed, absmax);
      errors.fourBit(task.mode().fourBitFormat(), task.blocksize(), chunk.array(), n, packed.array(), absmax, absmaxFirst);
      packedBytes += write(out, packed.flip());
    }
    write(out, absmax.flip());
    return new BlockResult(task.blockId(), path, packedBytes, blocks * 4,
        task.mode().doubleQuant() ? quantizer.absmaxSum() : null, errors.stats());
  }

  private static BlockResult int8(BlockTask task, KernelSupport kernels, BlockReader reader, OutputStream out,
      String path) throws IOException {
    long cols = task.rowLength();
    Int8Quantizer quantizer = new Int8Quantizer(kernels, task.type(), Math.toIntExact(cols));
    long rows = task.elementCount() / cols;
    ByteBuffer scb = allocate(rows * 4);
    ByteBuffer codes = null;
    ErrorMeter errors = new ErrorMeter(task.type());
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      long n = chunk.remaining() / task.type().byteSize();
      codes = codes == null ? allocate(n) : codes.clear();
      int scbFirst = scb.position() / 4;
      try {
        quantizer.quantizeRows(chunk, n / cols, codes, scb);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(task.file(), task.tensor(), reader.chunkStart(), e);
      }
      errors.int8(chunk.array(), (int) (n / cols), (int) cols, codes.array(), scb, scbFirst);
      write(out, codes.flip());
    }
    write(out, scb.flip());
    return new BlockResult(task.blockId(), path, task.elementCount(), rows * 4, null, errors.stats());
  }

  private static BlockResult cast(BlockTask task, KernelSupport kernels, BlockReader reader, OutputStream out,
      String path) throws IOException {
    Float16Caster caster = new Float16Caster(kernels, task.type());
    ByteBuffer f16 = null;
    ErrorMeter errors = new ErrorMeter(task.type());
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      long n = chunk.remaining() / task.type().byteSize();
      f16 = f16 == null ? allocate(n * 2) : f16.clear();
      try {
        caster.cast(chunk, n, f16);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(task.file(), task.tensor(), reader.chunkStart(), e);
      }
      errors.cast(chunk.array(), (int) n, f16.array());
      write(out, f16.flip());
    }
    return new BlockResult(task.blockId(), path, task.elementCount() * 2, 0, null, errors.stats());
  }

  private static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int write(OutputStream out, ByteBuffer b) throws IOException {
    int n = b.remaining();
    out.write(b.array(), b.arrayOffset() + b.position(), n);
    b.position(b.limit());
    return n;
  }
}
