package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The exit codes and output lines of {@code quarry verify} and {@code quarry dequantize}. */
class VerifyAndDequantizeCommandTest {
  private static final String WEIGHT = "model.layers.0.mlp.gate_proj.weight";

  @TempDir
  Path dir;

  private StringWriter out;
  private StringWriter err;

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cl = Quarry.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void verifyExitsZeroWhenCleanAndOneOnAFlippedByte() throws IOException {
    String input = ReferenceData.file("tiny-llama/input/config.json").getParent().toString();
    Path output = dir.resolve("int8");
    assertEquals(0, run("convert", "--input", input, "--output", output.toString(), "--mode", "int8", "--master", "local[2]"),
        err.toString());
    assertEquals(0, run("verify", output.toString(), "--master", "local[2]"), err.toString());
    assertTrue(out.toString().endsWith(": OK" + System.lineSeparator()), out.toString());

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
    assertEquals(1, run("verify", output.toString(), "--input", input, "--master", "local[2]"), err.toString());
    assertTrue(out.toString().contains("MISMATCH model.safetensors: tensor '" + WEIGHT + "': CRC32C "), out.toString());
    assertTrue(out.toString().contains("MISMATCH model.safetensors: tensor '" + WEIGHT
        + "' at byte 77: 1 byte(s) differ from the quantization of the input"), out.toString());
    assertTrue(out.toString().contains("2 problem(s)"), out.toString());
  }

  @Test
  void dequantizeWritesTheDtypeAskedFor() throws IOException {
    String quantized = ReferenceData.file("tiny-llama/hf-int8/model.safetensors").getParent().toString();
    Path output = dir.resolve("f16");
    assertEquals(0, run("dequantize", quantized, output.toString(), "--dtype", "float16", "--master", "local[2]"),
        err.toString());
    assertTrue(out.toString().contains("21 tensors dequantized"), out.toString());
    try (TensorFiles f = new TensorFiles(output.resolve("model.safetensors"))) {
      assertEquals(Dtype.F16, f.entry(WEIGHT).dtype());
      assertEquals(Dtype.BF16, f.entry("lm_head.weight").dtype(), "copied as it is");
    }
    assertEquals(2, run("dequantize", quantized, dir.resolve("x").toString(), "--dtype", "int4"));
    assertTrue(err.toString().contains("--dtype must be bfloat16, float16 or float32"), err.toString());
  }
}
