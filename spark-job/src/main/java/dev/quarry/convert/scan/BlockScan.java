package dev.quarry.convert.scan;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.fs.FileSystems;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.Kernels;
import dev.quarry.quantize.NonFiniteValueException;
import dev.quarry.quantize.NonFiniteValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.fs.Path;

/**
 * The scan pass over one block, run before anything is written when the layout depends on the data:
 * under double quantization the quant_state text holds each tensor's offset, the mean of its
 * absmax, so the exact absmax sum of every block is computed first (the absmax alone, no codes:
 * {@link FourBitQuantizer#scanAbsmax}); with --allow-non-finite a weight holding NaN or ±inf is
 * kept unquantized, which changes the layout too. Every scanned block is checked for NaN and ±inf.
 */
public final class BlockScan {
  private BlockScan() {}

  /** NaN or ±inf fail the task unless {@code allowNonFinite}: then the result says what was found. */
  public static ScanResult scan(BlockTask task, boolean allowNonFinite) throws IOException {
    boolean sums = task.action() == TensorAction.QUANTIZE && task.mode().doubleQuant();
    FourBitQuantizer absmax = sums
        ? new FourBitQuantizer(Kernels.get(), task.mode().fourBitFormat(), task.type(), task.blocksize()) : null;
    // the absmax kernel tells NaN and ±inf on the way: only a chunk holding one is looked at again, to name it
    try (BlockReader reader = new BlockReader(FileSystems.forPath(new Path(task.file())), task, absmax == null)) {
      for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
        if (absmax != null && absmax.scanAbsmax(chunk.duplicate(), chunk.remaining() / task.type().byteSize())) {
          NonFiniteValues.check(chunk, task.type(), task.file(), task.tensor(), reader.chunkStart());
        }
      }
    } catch (NonFiniteValueException e) {
      if (!allowNonFinite) {
        throw e;
      }
      return new ScanResult(task.blockId(), null, e.problem());
    }
    return new ScanResult(task.blockId(), absmax == null ? null : absmax.absmaxSum(), null);
  }
}
