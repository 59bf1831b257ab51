package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.safetensors.Dtype;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output path: an output overlapping the input is refused; an existing output of a different
 * conversion (or files that are not quarry's, or an existing file for quantize) is refused unless
 * --overwrite; a rerun of the same conversion does nothing.
 */
class OutputPathTest {
  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  private int convert(Path input, Path output, String mode, String... more) {
    String[] args = {"convert", "--input", input.toString(), "--output", output.toString(), "--mode", mode,
        "--master", "local[1]"};
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return cli.run(all);
  }

  private void assertOneErrorLine(String... phrases) {
    assertEquals(1, cli.err().lines().count(), cli.err());
    for (String p : phrases) {
      assertTrue(cli.err().contains(p), () -> cli.err() + " should contain " + p);
    }
  }

  @Test
  void convertRefusesAnOutputOverlappingTheInput() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 1);
    Map<String, String> before = FileTrees.snapshot(dir);
    assertEquals(2, convert(model, model, "nf4"));
    assertOneErrorLine("the output is the input");
    assertEquals(2, convert(model, model.resolve("out"), "nf4"));
    assertOneErrorLine("the output is inside the input");
    assertEquals(2, convert(model, dir, "nf4"));
    assertOneErrorLine("the output contains the input");
    Path link = Files.createSymbolicLink(dir.resolve("link"), model);
    assertEquals(2, convert(model, link, "nf4"));
    assertOneErrorLine("the output is the input");
    Files.delete(link);
    assertEquals(before, FileTrees.snapshot(dir), "nothing written, nothing deleted");
  }

  @Test
  void anOutputThatCannotBeCreatedIsNamedInTheUsersWords() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 1);
    assertEquals(2, convert(model, Path.of("/proc/quarry-out"), "nf4"));
    assertOneErrorLine("/proc/quarry-out: the output directory cannot be created here; its parent must be a writable "
        + "directory");
  }

  @Test
  void quantizeRefusesToWriteOverItsInputOrAnExistingFile() throws IOException {
    Path model = SmallModels.singleFile(dir.resolve("model"), 1);
    Path in = model.resolve("model.safetensors");
    byte[] input = Files.readAllBytes(in);
    assertEquals(2, cli.run("quantize", "--mode", "nf4", "--overwrite", in.toString(), in.toString()));
    assertOneErrorLine("the output is the input");
    Path existing = dir.resolve("existing.safetensors");
    Files.writeString(existing, "someone's file");
    assertEquals(2, cli.run("quantize", "--mode", "nf4", in.toString(), existing.toString()));
    assertOneErrorLine(existing + ": already exists; use --overwrite");
    assertEquals("someone's file", Files.readString(existing));
    assertArrayEquals(input, Files.readAllBytes(in));
    assertEquals(0, cli.run("quantize", "--mode", "nf4", "--overwrite", in.toString(), existing.toString()), cli.err());
    try (TensorFiles f = new TensorFiles(existing)) {
      assertEquals(Dtype.U8, f.entry(SmallModels.weight(0)).dtype());
    }
  }

  @Test
  void aDifferentConversionsOutputIsReplacedOnlyWithOverwrite() throws IOException {
    Path a = SmallModels.singleFile(dir.resolve("a"), 1);
    Path b = SmallModels.singleFile(dir.resolve("b"), 2);
    Path output = dir.resolve("out");
    assertEquals(0, convert(a, output, "nf4"), cli.err());
    Map<String, String> first = FileTrees.snapshot(output);

    assertEquals(0, convert(a, output, "nf4"), cli.err());
    assertTrue(cli.out().contains("nothing to do"), cli.out());

    assertEquals(2, convert(b, output, "nf4"));
    assertOneErrorLine(output + ": holds the completed output of a different conversion (input file:" + a
        + ", mode nf4); use --overwrite to replace it");
    assertEquals(2, convert(a, output, "int8"));
    assertOneErrorLine("different conversion");
    assertEquals(first, FileTrees.snapshot(output), "the existing output is untouched");

    assertEquals(0, convert(b, output, "int8", "--overwrite"), cli.err());
    assertNotEquals(first, FileTrees.snapshot(output));
    try (TensorFiles f = new TensorFiles(output.resolve("model.safetensors"))) {
      assertEquals(Dtype.I8, f.entry(SmallModels.weight(1)).dtype(), "model b, int8");
    }
  }

  @Test
  void aDirectoryOfOtherFilesIsNotAnOutput() throws IOException {
    Path a = SmallModels.singleFile(dir.resolve("a"), 1);
    Path output = Files.createDirectories(dir.resolve("someones-model"));
    Files.writeString(output.resolve("model-00001-of-00002.safetensors"), "not quarry's");
    assertEquals(2, convert(a, output, "nf4"));
    assertOneErrorLine("is not empty and not an output of quarry; use --overwrite");
    assertEquals("not quarry's", Files.readString(output.resolve("model-00001-of-00002.safetensors")));
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertEquals(2, convert(a, file, "nf4"));
    assertOneErrorLine("is not empty and not an output of quarry");
    assertFalse(Files.isDirectory(file));
  }
}
