package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit codes and output lines of {@code quarry verify} and {@code quarry dequantize}. */
class VerifyAndDequantizeCommandTest {
  private static final String WEIGHT = "model.layers.0.mlp.gate_proj.weight";

  @TempDir
  Path dir;

  private final CliRun last = new CliRun();

  private int run(String... args) {
    return last.run(args);
  }

  @Test
  void verifyExitsZeroWhenCleanAndOneOnAFlippedByte() throws IOException {
    String input = ReferenceData.file("tiny-llama/input/config.json").getParent().toString();
    Path output = dir.resolve("int8");
    assertEquals(0, run("convert", "--input", input, "--output", output.toString(), "--mode", "int8", "--master", "local[2]"),
        last.err());
    assertEquals(0, run("verify", output.toString(), "--master", "local[2]"), last.err());
    assertTrue(last.out().endsWith(": OK" + System.lineSeparator()), last.out());

    Path shard = output.resolve("model.safetensors");
    long position;
    try (TensorFiles f = new TensorFiles(shard)) {
      position = f.file().header().dataStart() + f.entry(WEIGHT).begin() + 77;
    }
    try (RandomAccessFile raf = new RandomAccessFile(shard.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ 1);
    }
    assertEquals(1, run("verify", output.toString(), "--input", input, "--master", "local[2]"), last.err());
    assertTrue(last.out().contains("MISMATCH model.safetensors: tensor '" + WEIGHT + "': CRC32C "), last.out());
    assertTrue(last.out().contains("MISMATCH model.safetensors: tensor '" + WEIGHT
        + "' at byte 77: 1 byte(s) differ from the quantization of the input"), last.out());
    assertTrue(last.out().contains("2 problem(s)"), last.out());
  }

  @Test
  void dequantizeWritesTheDtypeAskedFor() throws IOException {
    String quantized = ReferenceData.file("tiny-llama/hf-int8/model.safetensors").getParent().toString();
    Path output = dir.resolve("f16");
    assertEquals(0, run("dequantize", quantized, output.toString(), "--dtype", "float16", "--master", "local[2]"),
        last.err());
    assertTrue(last.out().contains("21 tensors dequantized"), last.out());
    try (TensorFiles f = new TensorFiles(output.resolve("model.safetensors"))) {
      assertEquals(Dtype.F16, f.entry(WEIGHT).dtype());
      assertEquals(Dtype.BF16, f.entry("lm_head.weight").dtype(), "copied as it is");
    }
    assertEquals(2, run("dequantize", quantized, dir.resolve("x").toString(), "--dtype", "int4"));
    assertTrue(last.err().contains("--dtype must be bfloat16, float16 or float32"), last.err());
  }
}
