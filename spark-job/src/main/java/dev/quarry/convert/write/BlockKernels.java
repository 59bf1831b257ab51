package dev.quarry.convert.write;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.scan.BlockReader;
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
 * The kernels of one {@link BlockTask}, fed its input chunk by chunk: the primary bytes (the codes)
 * of each chunk go to a {@link Sink} as they are produced (bounded memory), the block's secondary
 * bytes (float32 absmax, SCB) are returned whole by {@link #finish}, and the quantization error of
 * each chunk is measured right after the chunk is quantized, while it is in cache
 * ({@link ErrorMeter}). The chunks come from outside so that the kernels of several modes can run
 * on one chunk read once ({@link BlockOutput#computeAll}).
 */
abstract class BlockKernels {
  /** Receives the primary bytes of each chunk, in order (the buffer is reused after the call). */
  interface Sink {
    void accept(byte[] bytes, int length) throws IOException;
  }

  /** A block's secondary bytes (position 0, limit = length), its exact absmax sum (double quant) and its error. */
  record Output(ByteBuffer secondary, ExactSum absmaxSum, ErrorStats errors) {}

  final BlockTask task;
  final ErrorMeter errors;

  private BlockKernels(BlockTask task) {
    this.task = task;
    this.errors = task.errorMeter();
  }

  /** The kernels {@code task} needs: a cast (int8-training), 4-bit or int8 quantization. */
  static BlockKernels of(BlockTask task) {
    KernelSupport kernels = Kernels.get();
    if (task.action() == TensorAction.CAST) {
      return new Cast(task, kernels);
    }
    return task.mode().isFourBit() ? new FourBit(task, kernels) : new Int8(task, kernels);
  }

  /**
   * Quantizes the next chunk of the block (a heap buffer, position 0, limit = its bytes; left as it was).
   *
   * @param chunkStart index (in the tensor as quantized) of the chunk's first element
   */
  abstract void accept(ByteBuffer chunk, long chunkStart, Sink primary) throws IOException;

  /** After the last chunk. */
  abstract Output finish();

  private static final class FourBit extends BlockKernels {
    private final FourBitQuantizer quantizer;
    private final ByteBuffer absmax;
    private final ByteBuffer packed;

    FourBit(BlockTask task, KernelSupport kernels) {
      super(task);
      quantizer = new FourBitQuantizer(kernels, task.mode().fourBitFormat(), task.type(), task.blocksize());
      absmax = allocate((task.elementCount() + task.blocksize() - 1) / task.blocksize() * 4);
      packed = allocate((BlockReader.CHUNK_ELEMENTS + task.chunkAlign() + 1) / 2);
    }

    @Override
    void accept(ByteBuffer chunk, long chunkStart, Sink primary) throws IOException {
      packed.clear();
      int n = chunk.remaining() / task.type().byteSize();
      int absmaxFirst = absmax.position() / 4;
      quantizer.quantize(chunk.duplicate().order(chunk.order()), n, packed, absmax);
      errors.fourBit(task.mode().fourBitFormat(), task.blocksize(), chunk.array(), n, packed.array(), absmax, absmaxFirst);
      primary.accept(packed.array(), packed.position());
    }

    @Override
    Output finish() {
      return new Output(absmax.flip(), task.mode().doubleQuant() ? quantizer.absmaxSum() : null, errors.stats());
    }
  }

  private static final class Int8 extends BlockKernels {
    private final long cols;
    private final Int8Quantizer quantizer;
    private final ByteBuffer scb;
    private ByteBuffer codes;

    Int8(BlockTask task, KernelSupport kernels) {
      super(task);
      cols = task.rowLength();
      quantizer = new Int8Quantizer(kernels, task.type(), Math.toIntExact(cols));
      scb = allocate(task.elementCount() / cols * 4);
    }

    @Override
    void accept(ByteBuffer chunk, long chunkStart, Sink primary) throws IOException {
      long n = chunk.remaining() / task.type().byteSize();
      codes = codes == null ? allocate(n) : codes.clear();
      int scbFirst = scb.position() / 4;
      try {
        quantizer.quantizeRows(chunk.duplicate().order(chunk.order()), n / cols, codes, scb);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(task.file(), task.tensor(), chunkStart, e);
      }
      errors.int8(chunk.array(), (int) (n / cols), (int) cols, codes.array(), scb, scbFirst);
      primary.accept(codes.array(), codes.position());
    }

    @Override
    Output finish() {
      return new Output(scb.flip(), null, errors.stats());
    }
  }

  private static final class Cast extends BlockKernels {
    private final Float16Caster caster;
    private ByteBuffer f16;

    Cast(BlockTask task, KernelSupport kernels) {
      super(task);
      caster = new Float16Caster(kernels, task.type());
    }

    @Override
    void accept(ByteBuffer chunk, long chunkStart, Sink primary) throws IOException {
      long n = chunk.remaining() / task.type().byteSize();
      f16 = f16 == null ? allocate(n * 2) : f16.clear();
      try {
        caster.cast(chunk.duplicate().order(chunk.order()), n, f16);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(task.file(), task.tensor(), chunkStart, e);
      }
      errors.cast(chunk.array(), (int) n, f16.array());
      primary.accept(f16.array(), f16.position());
    }

    @Override
    Output finish() {
      return new Output(allocate(0), null, errors.stats());
    }
  }

  private static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
