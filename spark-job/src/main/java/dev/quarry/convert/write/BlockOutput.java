package dev.quarry.convert.write;

import dev.quarry.convert.plan.BlockSection;
import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.scan.BlockReader;
import dev.quarry.fs.FileSystems;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quality.ErrorStats;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * Everything one block of work writes, computed from its input in one pass ({@link BlockKernels}):
 * its codes, handed to a sink as they are produced, then its scales and (double quantization) the
 * nested absmax as whole buffers, and the quantization error, measured chunk by chunk while the
 * chunk is in cache. The same block of several modes (a conversion to several modes at once) is
 * read once: each chunk goes through every mode's kernels before the next is read.
 */
final class BlockOutput {
  /** A block's {@link BlockSection#SCALES} and {@link BlockSection#NESTED} bytes (position 0; nested empty but under double quantization), and its error. */
  record Constants(ByteBuffer scales, ByteBuffer nested, ErrorStats errors) {
    ByteBuffer section(BlockSection section) {
      return (section == BlockSection.SCALES ? scales : nested).duplicate();
    }
  }

  /** What one mode's kernels made of a block read for several: its constants, or why that mode failed. */
  record Outcome(Constants constants, CheckpointException failure) {}

  private BlockOutput() {}

  /**
   * @param unit  the block, its tensor's double-quant offset and its scan result: unscanned blocks
   *              are checked for NaN and ±inf here; a scanned block's absmax must sum to what the
   *              scan found, else its input changed between the passes
   * @param codes receives the codes, in order
   */
  static Constants compute(WriteUnit unit, BlockKernels.Sink codes) throws IOException {
    Outcome outcome = computeAll(List.of(unit), List.of(codes)).get(0);
    if (outcome.failure() != null) {
      throw outcome.failure();
    }
    return outcome.constants();
  }

  /**
   * The units of several modes over one input block, read once. A problem with the input itself
   * (NaN or ±inf, an I/O error) fails them all and is thrown; what only one mode's kernels refuse (a
   * value that overflows float16 in the int8 modes) is that mode's {@link Outcome#failure}, and the
   * others go on.
   *
   * @param units the same input elements of one tensor (same file, elements and chunk alignment), one per mode
   * @param codes the sink of each unit's codes, in order
   */
  static List<Outcome> computeAll(List<WriteUnit> units, List<BlockKernels.Sink> codes) throws IOException {
    BlockTask read = units.get(0).block();
    List<BlockKernels> kernels = new ArrayList<>();
    for (WriteUnit u : units) {
      BlockTask b = u.block();
      if (!b.file().equals(read.file()) || b.dataOffset() != read.dataOffset() || b.firstElement() != read.firstElement()
          || b.elementCount() != read.elementCount() || b.chunkAlign() != read.chunkAlign()) {
        throw new IllegalStateException("block " + b.blockId() + " of '" + b.tensor() + "' is cut differently in "
            + b.mode().cliName() + " than in " + read.mode().cliName());
      }
      kernels.add(BlockKernels.of(b));
    }
    CheckpointException[] failures = new CheckpointException[units.size()];
    try (BlockReader reader = new BlockReader(FileSystems.forPath(new Path(read.file())), read, !units.get(0).scanned())) {
      for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
        for (int i = 0; i < units.size(); i++) {
          if (failures[i] == null) {
            try {
              kernels.get(i).accept(chunk, reader.chunkStart(), codes.get(i));
            } catch (CheckpointException e) {
              failures[i] = e;
            }
          }
        }
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < units.size(); i++) {
      try {
        outcomes.add(new Outcome(failures[i] == null ? constants(units.get(i), kernels.get(i).finish()) : null, failures[i]));
      } catch (CheckpointException e) {
        outcomes.add(new Outcome(null, e));
      }
    }
    return outcomes;
  }

  private static Constants constants(WriteUnit unit, BlockKernels.Output out) throws CheckpointException {
    BlockTask task = unit.block();
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
