package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Quantizes the absmax of one block with its tensor's offset ({@code bnb-exact.md} §3 steps 2–3)
 * into a staging file ({@link StagedBlocks#dataPath}): the uint8 codes, then the float32 nested
 * absmax. The absmax of a block is 1/16 of its bf16 input at blocksize 64 or less; it is read whole.
 */
final class NestedProcessor {
  private NestedProcessor() {}

  static BlockResult process(NestedTask task, String stagingDir, long attemptId) throws IOException {
    Path source = new Path(task.absmaxFile());
    Path path = StagedBlocks.dataPath(stagingDir, "nested", task.blockId(), attemptId);
    ByteBuffer absmax = ByteBuffer.allocate(task.count() * 4).order(ByteOrder.LITTLE_ENDIAN);
    try (FSDataInputStream in = FileSystems.forPath(source).open(source)) {
      in.readFully(task.absmaxPosition(), absmax.array());
    }
    int nestedBlocks = (task.count() + NestedAbsmaxQuantizer.NESTED_BLOCKSIZE - 1) / NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
    ByteBuffer codes = ByteBuffer.allocate(task.count());
    ByteBuffer nested = ByteBuffer.allocate(nestedBlocks * 4).order(ByteOrder.LITTLE_ENDIAN);
    NestedAbsmaxQuantizer.quantize(absmax, task.count(), task.offset(), codes, nested);
    FileSystem fs = FileSystems.forPath(path);
    try (OutputStream out = NamedOutputStream.create(fs, path, true)) {
      out.write(codes.array());
      out.write(nested.array());
    }
    return StagedBlocks.commit(fs, stagingDir, "nested",
        new BlockResult(task.blockId(), path.toString(), task.count(), nestedBlocks * 4L));
  }
}
