package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quality.ErrorStats;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.Path;

/**
 * Everything one block of work writes, computed from its input in one pass ({@link BlockKernels}):
 * its codes, handed to a sink as they are produced, then its scales and (double quantization) the
 * nested absmax as whole buffers, and the quantization error, measured chunk by chunk while the
 * chunk is in cache.
 */
final class BlockOutput {
  /** A block's {@link BlockSection#SCALES} and {@link BlockSection#NESTED} bytes (position 0; nested empty but under double quantization), and its error. */
  record Constants(ByteBuffer scales, ByteBuffer nested, ErrorStats errors) {
    ByteBuffer section(BlockSection section) {
      return (section == BlockSection.SCALES ? scales : nested).duplicate();
    }
  }

  private BlockOutput() {}

  /**
   * @param unit  the block, its tensor's double-quant offset and its scan result: unscanned blocks
   *              are checked for NaN and ±inf here; a scanned block's absmax must sum to what the
   *              scan found, else its input changed between the passes
   * @param codes receives the codes, in order
   */
  static Constants compute(WriteUnit unit, BlockKernels.Sink codes) throws IOException {
    BlockTask task = unit.block();
    BlockKernels.Output out;
    try (BlockReader reader = new BlockReader(FileSystems.forPath(new Path(task.file())), task, !unit.scanned())) {
      out = BlockKernels.run(task, reader, codes);
    }
    if (unit.scannedSum() != null && !unit.scannedSum().sameSumAs(out.absmaxSum())) {
      throw new CheckpointException(task.file(), task.tensor(), String.format(
          "changed while it was being converted (elements %d to %d read differently the second time); "
              + "convert it again once it no longer changes",
          task.firstElement(), task.firstElement() + task.elementCount()));
    }
    if (task.action() != TensorAction.QUANTIZE || !task.mode().doubleQuant()) {
      return new Constants(out.secondary(), ByteBuffer.allocate(0), out.errors());
    }
    int count = out.secondary().remaining() / 4;
    ByteBuffer absmaxCodes = ByteBuffer.allocate(count);
    ByteBuffer nested = ByteBuffer.allocate(Math.toIntExact(BlockSection.NESTED.bytes(task))).order(ByteOrder.LITTLE_ENDIAN);
    NestedAbsmaxQuantizer.quantize(out.secondary(), count, unit.offset(), absmaxCodes, nested);
    return new Constants(absmaxCodes.flip(), nested.flip(), out.errors());
  }
}
