package dev.quarry.convert;

import dev.quarry.kernels.ExactSum;
import dev.quarry.kernels.Float16Caster;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.Int8Quantizer;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import dev.quarry.quality.ErrorMeter;
import dev.quarry.quality.ErrorStats;
import dev.quarry.quantize.InvalidTensorValueException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs the kernels over the input of one {@link BlockTask}, chunk by chunk: the primary bytes (the
 * codes) go to a {@link Sink} as they are produced (bounded memory), the block's secondary bytes
 * (float32 absmax, SCB) are returned whole, and the quantization error of each chunk is measured
 * right after the chunk is quantized, while it is in cache ({@link ErrorMeter}).
 */
final class BlockKernels {
  /** Receives the primary bytes of each chunk, in order (the buffer is reused after the call). */
  interface Sink {
    void accept(byte[] bytes, int length) throws IOException;
  }

  /** A block's secondary bytes (position 0, limit = length), its exact absmax sum (double quant) and its error. */
  record Output(ByteBuffer secondary, ExactSum absmaxSum, ErrorStats errors) {}

  private BlockKernels() {}

  /** @throws dev.quarry.quantize.NonFiniteValueException from the reader, on NaN or ±inf */
  static Output run(BlockTask task, BlockReader reader, Sink primary) throws IOException {
    KernelSupport kernels = Kernels.get();
    ErrorMeter errors = task.errorMeter();
    if (task.action() == TensorAction.CAST) {
      return cast(task, kernels, reader, errors, primary);
    }
    return task.mode().isFourBit() ? fourBit(task, kernels, reader, errors, primary)
        : int8(task, kernels, reader, errors, primary);
  }

  private static Output fourBit(BlockTask task, KernelSupport kernels, BlockReader reader, ErrorMeter errors,
      Sink primary) throws IOException {
    FourBitQuantizer quantizer = new FourBitQuantizer(kernels, task.mode().fourBitFormat(), task.type(), task.blocksize());
    long blocks = (task.elementCount() + task.blocksize() - 1) / task.blocksize();
    ByteBuffer absmax = allocate(blocks * 4);
    ByteBuffer packed = allocate((BlockReader.CHUNK_ELEMENTS + task.chunkAlign() + 1) / 2);
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      packed.clear();
      int n = chunk.remaining() / task.type().byteSize();
      int absmaxFirst = absmax.position() / 4;
      quantizer.quantize(chunk, n, packed, absmax);
      errors.fourBit(task.mode().fourBitFormat(), task.blocksize(), chunk.array(), n, packed.array(), absmax, absmaxFirst);
      primary.accept(packed.array(), packed.position());
    }
    return new Output(absmax.flip(), task.mode().doubleQuant() ? quantizer.absmaxSum() : null, errors.stats());
  }

  private static Output int8(BlockTask task, KernelSupport kernels, BlockReader reader, ErrorMeter errors,
      Sink primary) throws IOException {
    long cols = task.rowLength();
    Int8Quantizer quantizer = new Int8Quantizer(kernels, task.type(), Math.toIntExact(cols));
    ByteBuffer scb = allocate(task.elementCount() / cols * 4);
    ByteBuffer codes = null;
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
      primary.accept(codes.array(), codes.position());
    }
    return new Output(scb.flip(), null, errors.stats());
  }

  private static Output cast(BlockTask task, KernelSupport kernels, BlockReader reader, ErrorMeter errors,
      Sink primary) throws IOException {
    Float16Caster caster = new Float16Caster(kernels, task.type());
    ByteBuffer f16 = null;
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      long n = chunk.remaining() / task.type().byteSize();
      f16 = f16 == null ? allocate(n * 2) : f16.clear();
      try {
        caster.cast(chunk, n, f16);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(task.file(), task.tensor(), reader.chunkStart(), e);
      }
      errors.cast(chunk.array(), (int) n, f16.array());
      primary.accept(f16.array(), f16.position());
    }
    return new Output(allocate(0), null, errors.stats());
  }

  private static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
