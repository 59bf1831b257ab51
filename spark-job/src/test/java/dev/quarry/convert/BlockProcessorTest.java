package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ModelTensors;
import dev.quarry.testing.ReferenceData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The two runs of a block: the first pass stages only the secondary bytes, the shard writer
 * computes the primary bytes again — equal to what bitsandbytes saved (the reference outputs) —
 * and refuses, naming file and tensor, bytes the first pass did not compute (the input changed
 * between the passes); computed ahead on threads, they come in writing order.
 */
class BlockProcessorTest {
  @TempDir
  Path dir;
  private Path input;
  private String staging;

  /** A writable copy of tiny-llama's input (the tests change it), planned for {@code mode} in blocks of {@code blockBytes}. */
  private ConversionPlan plan(QuantMode mode, long blockBytes) throws IOException {
    input = copyOfTinyLlamaInput();
    staging = LocalFiles.hadoopPath(Files.createDirectories(dir.resolve("staging"))).toString();
    return Planner.plan(ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(input)),
        ConvertOptions.of(input.toString(), "unused", mode).withBlockBytes(blockBytes));
  }

  /** The second block of a tensor cut in several: its bytes start inside the reference tensor. */
  private static BlockTask aBlockInsideATensor(ConversionPlan plan) {
    return plan.blocks().stream().filter(b -> b.firstElement() > 0).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(value = QuantMode.class, names = {"NF4", "FP4", "INT8"})
  void theShardWritersBytesAreTheReferenceAndAChangedInputIsRefused(QuantMode mode) throws IOException {
    BlockTask task = aBlockInsideATensor(plan(mode, 64 << 10));
    BlockResult result = BlockProcessor.process(task, staging, 1, false, false);

    assertEquals(result.secondaryBytes(), Files.size(Path.of(java.net.URI.create(result.path()))),
        "the staging file holds only the secondary bytes");
    byte[] expected = referenceSlice(mode, task, result.primaryBytes());
    assertArrayEquals(expected, primaryOf(result, task), "computed again: the bytes bitsandbytes saved");

    corrupt(task);
    CheckpointException e = assertThrows(CheckpointException.class, () -> primaryOf(result, task));
    assertTrue(e.getMessage().contains(task.file().substring(task.file().lastIndexOf('/') + 1))
        && e.getMessage().contains(task.tensor()) && e.getMessage().contains("changed"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = QuantMode.class, names = {"NF4", "INT8"})
  void stagedCodesAreTheReferenceFollowedByTheConstants(QuantMode mode) throws IOException {
    BlockTask task = aBlockInsideATensor(plan(mode, 64 << 10));
    BlockResult result = BlockProcessor.process(task, staging, 1, false, true);

    assertTrue(result.primaryStaged());
    byte[] staged = Files.readAllBytes(Path.of(java.net.URI.create(result.path())));
    assertEquals(result.primaryBytes() + result.secondaryBytes(), staged.length);
    assertArrayEquals(referenceSlice(mode, task, result.primaryBytes()),
        Arrays.copyOf(staged, (int) result.primaryBytes()), "the codes bitsandbytes saved, then the constants");
    assertEquals(new Piece(result.path(), 0, result.primaryBytes(), null, null, 0), result.primary(task));
  }

  @ParameterizedTest
  @EnumSource(value = QuantMode.class, names = {"NF4", "INT8"})
  void blocksComputedAheadOnThreadsComeInWritingOrder(QuantMode mode) throws IOException {
    ConversionPlan plan = plan(mode, 16 << 10);
    TensorPlan tensor = plan.tensors().stream().filter(t -> t.blockCount() >= 8).findFirst().orElseThrow();
    List<Piece> pieces = new ArrayList<>();
    for (BlockTask b : plan.blocks().subList(tensor.firstBlock(), tensor.firstBlock() + tensor.blockCount())) {
      pieces.add(BlockProcessor.process(b, staging, 1, false, false).primary(b));
    }
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    try (BlocksComputedAhead ahead = new BlocksComputedAhead(pieces, 3)) {
      for (int i = 0; i < pieces.size(); i++) {
        whole.write(ahead.next());
      }
    }
    String name = tensor.tensor().name();
    assertArrayEquals(ModelTensors.bytes(referenceDir(mode), name), whole.toByteArray(),
        name + " from " + pieces.size() + " blocks on 3 threads");

    corrupt(pieces.get(5).block());
    try (BlocksComputedAhead ahead = new BlocksComputedAhead(pieces, 3)) {
      for (int i = 0; i < 5; i++) {
        ahead.next();
      }
      CheckpointException e = assertThrows(CheckpointException.class, ahead::next, "the sixth block's failure, as it was");
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  private static byte[] primaryOf(BlockResult result, BlockTask task) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BlockProcessor.writePrimary(result.primary(task), (bytes, length) -> out.write(bytes, 0, length));
    return out.toByteArray();
  }

  /** The block's bytes in the reference output of {@code mode}: codes start at element/2 (4-bit) or element (int8). */
  private static byte[] referenceSlice(QuantMode mode, BlockTask task, long length) throws IOException {
    byte[] whole = ModelTensors.bytes(referenceDir(mode), task.tensor());
    long start = mode.isFourBit() ? task.firstElement() / 2 : task.firstElement();
    return Arrays.copyOfRange(whole, (int) start, (int) (start + length));
  }

  private static Path referenceDir(QuantMode mode) {
    return ReferenceData.file("tiny-llama/hf-" + mode.cliName() + "/model.safetensors").getParent();
  }

  /** Scales the block's first input element by 4 or 1/4 (an exponent bit flipped: finite stays finite), in place. */
  private static void corrupt(BlockTask task) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(Path.of(java.net.URI.create(task.file())).toFile(), "rw")) {
      long at = task.dataOffset() + task.firstElement() * task.type().byteSize() + 1;
      f.seek(at);
      int high = f.read();
      f.seek(at);
      f.write(high ^ 0x01); // flips the lowest exponent bit of a little-endian bf16 or float16
    }
  }

  private Path copyOfTinyLlamaInput() throws IOException {
    Path source = ReferenceData.file("tiny-llama/input/config.json").getParent();
    Path copy = Files.createDirectories(dir.resolve("input"));
    try (Stream<Path> files = Files.list(source)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }
}
