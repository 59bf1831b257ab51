package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.CliRun;
import dev.quarry.testing.ModelTensors;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code quarry inspect}: the output size it announces is the size of what transformers saved for
 * the reference tiny-llama (quarry's output is byte-identical to it), and of a real multi-shard
 * conversion; it writes nothing.
 */
class InspectCommandTest {
  private static final Pattern SIZE = Pattern.compile("output size: (\\d+)(?: to (\\d+))? bytes");

  @TempDir
  Path dir;

  /** Everything the runs of a test printed. */
  private final StringBuilder out = new StringBuilder();

  private String run(String... args) {
    CliRun r = new CliRun();
    assertEquals(0, r.run(args), r.err());
    out.append(r.out());
    return out.toString();
  }

  private static long[] size(String printed) {
    Matcher m = SIZE.matcher(printed);
    assertTrue(m.find(), printed);
    long low = Long.parseLong(m.group(1));
    return new long[] {low, m.group(2) == null ? low : Long.parseLong(m.group(2))};
  }

  private static Path tinyLlama() {
    return ReferenceData.file("tiny-llama/input/config.json").getParent();
  }

  /** A PyTorch source plans as its safetensors twin: the size of what transformers saved from that. */
  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama-sharded", "tiny-llama-views", "tiny-llama-views-strided"})
  void pyTorchSourcesPlanAsTheirSafetensorsTwin(String source) throws IOException {
    Path input = ReferenceData.file("sources/bin/" + source + "/config.json").getParent();
    long[] size = size(run("inspect", input.toString(), "--mode", "int8"));
    assertEquals(Files.size(ReferenceData.file("tiny-llama/hf-int8/model.safetensors")), size[0]);
  }

  /** --quant-storage and --compute-dtype are inspect's options too: the size of what transformers saved so. */
  @Test
  void outputDtypesSizeAsTransformersSaved() throws IOException {
    Path input = ReferenceData.file("sources/storage/llama128/input/config.json").getParent();
    long[] size = size(run("inspect", input.toString(), "--mode", "nf4", "--quant-storage", "float16",
        "--compute-dtype", "float16"));
    assertEquals(Files.size(ReferenceData.file("sources/storage/llama128/hf-nf4-storage-fp16/model.safetensors")), size[0]);
  }

  /** A block-FP8 source plans as its bfloat16 dequantization: the scales are consumed, not copied. */
  @Test
  void blockFp8SourcePlansAsItsBfloat16Twin() throws IOException {
    long[] fp8 = size(run("inspect", ReferenceData.file("sources/fp8/tiny-llama/input/config.json").getParent().toString(),
        "--mode", "int8"));
    out.setLength(0);
    long[] bf16 = size(run("inspect",
        ReferenceData.file("sources/fp8/tiny-llama/dequantized/config.json").getParent().toString(), "--mode", "int8"));
    assertEquals(bf16[0], fp8[0]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nf4", "fp4", "int8"})
  void sizeIsExactlyWhatTransformersSaved(String mode) throws IOException {
    long[] size = size(run("inspect", tinyLlama().toString(), "--mode", mode));
    assertEquals(size[0], size[1], "exact without double quantization");
    assertEquals(Files.size(ReferenceData.file("tiny-llama/hf-" + mode + "/model.safetensors")), size[0]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nf4-dq", "fp4-dq"})
  void doubleQuantSizeRangeHoldsWhatTransformersSaved(String mode) throws IOException {
    long[] size = size(run("inspect", tinyLlama().toString(), "--mode", mode));
    long real = Files.size(ReferenceData.file("tiny-llama/hf-" + mode + "/model.safetensors"));
    assertTrue(size[0] < real && real <= size[1], real + " in " + size[0] + ".." + size[1]);
    assertTrue(size[1] - size[0] < 14 * 19 + 8, "at most 19 characters per weight's offset (+ header padding)");
  }

  @Test
  void printsThePlanAndWritesNothing() throws IOException {
    List<String> before = listing(tinyLlama());
    String printed = run("inspect", tinyLlama().toString(), "--mode", "int8", "--block-size-mb", "1");
    assertTrue(printed.contains("model " + tinyLlama() + ": 21 tensors in 5 shard(s)"), printed);
    // 704 x 256 bf16 in blocks of whole rows within 1 MiB: one block; the head is copied; 14 x 3 + 7 tensors out
    assertTrue(printed.contains("  quantize model.layers.0.mlp.up_proj.weight BF16 [704, 256]: 1 block(s) of up to 180224 elements"), printed);
    assertTrue(printed.contains("  copy     lm_head.weight BF16 [512, 256]\n"), printed);
    assertTrue(printed.contains("  model.safetensors: 49 tensors, "), printed);
    assertEquals(before, listing(tinyLlama()));
  }

  /** Several output shards: the announced size is the real conversion's, shard for shard. */
  @Test
  void multiShardSizeIsTheRealConversions() throws IOException {
    Path output = dir.resolve("out");
    String[] options = {"--mode", "fp4", "--max-shard-size", "300KB"};
    long[] size = size(run(concat(new String[] {"inspect", tinyLlama().toString()}, options)));
    run(concat(new String[] {"convert", "--input", tinyLlama().toString(), "--output", output.toString(), "--master", "local[2]"}, options));
    List<Path> shards = ModelTensors.shards(output);
    assertTrue(shards.size() > 2, shards.toString());
    long real = 0;
    for (Path s : shards) {
      real += Files.size(s);
      assertTrue(out.toString().contains("  " + s.getFileName() + ": "), s.toString());
    }
    assertEquals(real, size[0]);
  }

  private static String[] concat(String[] a, String[] b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

  private static List<String> listing(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName() + " " + p.toFile().length() + " " + p.toFile().lastModified()).sorted().toList();
    }
  }
}
