package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.quantize.NonFiniteValueException;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The two runs of a {@link BlockTask} on executors. The first pass ({@link #process}) quantizes the
 * block, measures its error, and stages its secondary bytes (absmax, SCB) and either its primary
 * bytes or only their CRC32C ({@link CodePlacement}); in the second case the shard writer
 * ({@link #writePrimary}) quantizes it again, streaming the primary bytes into the shard, and checks
 * them against that CRC (see {@link BlockResult}).
 * The staging file name carries the task attempt, so a retried or speculative attempt never touches
 * another's file (on an object store, where files appear whole, attempts write the same bytes to
 * one name: {@link StagedBlocks#dataPath}).
 */
final class BlockProcessor {
  private BlockProcessor() {}

  /**
   * The first pass: quantizes the block and commits its staging file ({@link StagedBlocks}): the
   * primary bytes when {@code stageCodes} (else only their CRC32C is kept, {@link CodePlacement}),
   * then the secondary bytes. NaN or ±inf fail the task unless {@code allowNonFinite}: then the
   * result only says what was found.
   */
  static BlockResult process(BlockTask task, String stagingDir, long attemptId, boolean allowNonFinite,
      boolean stageCodes) throws IOException {
    Path path = StagedBlocks.dataPath(stagingDir, "block", task.blockId(), attemptId);
    FileSystem outFs = FileSystems.forPath(path);
    CRC32C crc = new CRC32C();
    long[] primaryBytes = {0};
    BlockKernels.Output output;
    try (BlockReader reader = new BlockReader(FileSystems.forPath(new Path(task.file())), task, true);
        OutputStream out = NamedOutputStream.create(outFs, path, true)) {
      output = BlockKernels.run(task, reader, true, (bytes, length) -> {
        if (stageCodes) {
          out.write(bytes, 0, length);
        } else {
          crc.update(bytes, 0, length);
        }
        primaryBytes[0] += length;
      });
      out.write(output.secondary().array(), 0, output.secondary().limit());
    } catch (NonFiniteValueException e) {
      if (!allowNonFinite) {
        throw e;
      }
      outFs.delete(path, false);
      return BlockResult.nonFinite(task.blockId(), e.problem());
    }
    return StagedBlocks.commit(outFs, stagingDir, "block", new BlockResult(task.blockId(), path.toString(),
        primaryBytes[0], output.secondary().limit(), output.absmaxSum(), output.errors(),
        stageCodes ? BlockResult.STAGED : crc.getValue()));
  }

  /**
   * The shard writer's run: the primary bytes of {@code piece}'s block to {@code out}. Bytes other
   * than the first pass's (the input changed under the conversion) fail the task before the shard
   * is published; the bytes already written are abandoned with it.
   */
  static void writePrimary(Piece piece, BlockKernels.Sink out) throws IOException {
    BlockTask task = piece.block();
    CRC32C crc = new CRC32C();
    long[] written = {0};
    try (BlockReader reader = new BlockReader(FileSystems.forPath(new Path(task.file())), task, false)) {
      BlockKernels.run(task, reader, false, (bytes, length) -> {
        crc.update(bytes, 0, length);
        written[0] += length;
        out.accept(bytes, length);
      });
    }
    if (crc.getValue() != piece.crc() || written[0] != piece.length()) {
      throw new CheckpointException(task.file(), task.tensor(), String.format(
          "changed while it was being converted (elements %d to %d quantized differently the second time); "
              + "convert it again once it no longer changes",
          task.firstElement(), task.firstElement() + task.elementCount()));
    }
  }
}
