package dev.quarry.convert.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.BlockSection;
import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.scan.BlockScan;
import dev.quarry.convert.scan.ScanResult;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ModelTensors;
import dev.quarry.testing.ReferenceData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One block computed in one pass: its codes and its scales are the bytes bitsandbytes saved (the
 * reference outputs), whatever block of a tensor it is; under double quantization a block whose
 * input changed after the scan is refused, naming file and tensor.
 */
class BlockOutputTest {
  @TempDir
  Path dir;
  private Path input;

  /** A writable copy of tiny-llama's input (the tests change it), planned for {@code mode} in blocks of {@code blockBytes}. */
  private ConversionPlan plan(QuantMode mode, long blockBytes) throws IOException {
    input = copyOfTinyLlamaInput();
    return Planner.plan(ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(input)),
        ConvertOptions.of(input.toString(), "unused", mode).withBlockBytes(blockBytes));
  }

  /** The second block of a tensor cut in several: its bytes start inside the reference tensor. */
  private static BlockTask aBlockInsideATensor(ConversionPlan plan) {
    return plan.blocks().stream().filter(b -> b.firstElement() > 0).findFirst().orElseThrow();
  }

  private static WriteUnit unit(BlockTask b) {
    return new WriteUnit(b.tensorId(), b, List.of(), 0, null, false);
  }

  @ParameterizedTest
  @EnumSource(value = QuantMode.class, names = {"NF4", "FP4", "INT8"})
  void aBlocksCodesAndScalesAreTheReference(QuantMode mode) throws IOException {
    BlockTask task = aBlockInsideATensor(plan(mode, 64 << 10));
    ByteArrayOutputStream codes = new ByteArrayOutputStream();
    BlockOutput.Constants constants = BlockOutput.compute(unit(task), (bytes, length) -> codes.write(bytes, 0, length));

    long codesStart = mode.isFourBit() ? task.firstElement() / 2 : task.firstElement();
    assertArrayEquals(slice(ModelTensors.bytes(referenceDir(mode), task.tensor()), codesStart,
        BlockSection.CODES.bytes(task)), codes.toByteArray(), "the codes bitsandbytes saved");
    String module = task.tensor().substring(0, task.tensor().length() - ".weight".length());
    String scales = mode.isFourBit() ? task.tensor() + ".absmax" : module + ".SCB";
    long scalesStart = (mode.isFourBit() ? task.firstElement() / task.blocksize() : task.firstElement() / task.cols()) * 4;
    assertArrayEquals(slice(ModelTensors.bytes(referenceDir(mode), scales), scalesStart,
        BlockSection.SCALES.bytes(task)), bytes(constants.section(BlockSection.SCALES)), "its " + scales);
    assertEquals(task.elementCount(), constants.errors().count(), "the error of every element measured");
  }

  @Test
  void underDoubleQuantizationABlockChangedAfterTheScanIsRefused() throws IOException {
    BlockTask task = aBlockInsideATensor(plan(QuantMode.NF4_DQ, 64 << 10));
    ScanResult scan = BlockScan.scan(task, false);
    WriteUnit scanned = new WriteUnit(task.tensorId(), task, List.of(), 0.01f, scan.absmaxSum(), true);
    ByteArrayOutputStream codes = new ByteArrayOutputStream();
    BlockOutput.compute(scanned, (bytes, length) -> codes.write(bytes, 0, length));
    assertEquals(BlockSection.CODES.bytes(task), codes.size(), "the unchanged block passes");

    corrupt(task);
    CheckpointException e = assertThrows(CheckpointException.class, () -> BlockOutput.compute(scanned, (b, l) -> {}));
    assertTrue(e.getMessage().contains(task.file().substring(task.file().lastIndexOf('/') + 1))
        && e.getMessage().contains(task.tensor()) && e.getMessage().contains("changed"), e.getMessage());
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] slice(byte[] whole, long start, long length) {
    return Arrays.copyOfRange(whole, (int) start, (int) (start + length));
  }

  private static Path referenceDir(QuantMode mode) {
    return ReferenceData.file("tiny-llama/hf-" + mode.cliName() + "/model.safetensors").getParent();
  }

  /** Sets the block's first input element (bfloat16) to 100, above any weight of the model: its block's absmax changes. */
  private static void corrupt(BlockTask task) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(Path.of(java.net.URI.create(task.file())).toFile(), "rw")) {
      f.seek(task.dataOffset() + task.firstElement() * task.type().byteSize());
      f.write(new byte[] {(byte) 0xc8, 0x42}); // 100.0 in little-endian bfloat16
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
