package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.store.OutputStore;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A conversion whose input (4.6 GB, shards of 2 GB, tensors up to 90 MB) is many times the heap:
 * {@code quarry convert} runs in a child JVM with {@code -Xmx512m}, which in local mode is the
 * heap of the driver and of the executors alike. It must finish, with every tensor in place.
 */
class BoundedMemoryTest {
  private static final String HEAP = "-Xmx512m";
  /** Ten layers of a 7B Llama: 4.6 GB of bfloat16, more than 8 times the heap. */
  private static final SampleModelConfig MODEL =
      new SampleModelConfig(10, 4096, 11008, 32000, 32, 32, 2_000_000_000L, 7L);

  /** Under target/ rather than /tmp: the build directory is where CI has room for 6 GB. */
  private final Path dir = Path.of("target", "bounded-memory").toAbsolutePath();

  @AfterEach
  void removeTheGigabytes() throws IOException {
    if (Files.exists(dir)) {
      PathUtils.deleteDirectory(dir);
    }
  }

  @Test
  void convertsAModelEightTimesTheHeapWithHalfAGigabyte() throws IOException, InterruptedException {
    Path input = dir.resolve("input");
    Path output = dir.resolve("output");
    SampleCheckpoint.write(LocalFiles.fs(), LocalFiles.hadoopPath(input), MODEL);
    long inputBytes = 0;
    for (Path shard : shards(input)) {
      inputBytes += Files.size(shard);
    }
    assertTrue(inputBytes > 4_000_000_000L, "the input must be at least 4 GB: " + inputBytes);

    Process convert = childJvm("convert", "--input", input.toString(), "--output", output.toString(),
        "--mode", "nf4-dq", "--master", "local[2]").start();
    String log = new String(convert.getInputStream().readAllBytes());
    assertEquals(0, convert.waitFor(), "quarry convert with " + HEAP + " failed:\n" + log);

    assertTrue(Files.exists(output.resolve(OutputStore.SUCCESS)), log);
    Map<String, TensorSpec> written = new HashMap<>();
    for (Path shard : shards(output)) {
      try (TensorFiles f = new TensorFiles(shard)) {
        for (TensorEntry t : f.file().header().tensors()) {
          written.put(t.name(), new TensorSpec(t.name(), t.dtype(), t.shape()));
        }
      }
    }
    for (TensorSpec in : MODEL.stateDict()) {
      TensorSpec out = written.get(in.name());
      boolean quantized = in.shape().size() == 2 && !in.name().contains("embed") && !in.name().startsWith("lm_head");
      long elements = in.shape().stream().reduce(1L, Math::multiplyExact);
      if (quantized) {
        assertEquals(new TensorSpec(in.name(), Dtype.U8, List.of(elements / 2, 1L)), out, in.name());
        String weight = in.name();
        assertEquals(List.of(elements / 64), written.get(weight + ".absmax").shape(), weight);
        assertEquals(List.of((elements / 64 + 255) / 256),
            written.get(weight + ".nested_absmax").shape(), weight);
      } else {
        assertEquals(in, out, in.name());
      }
    }
  }

  /** A JVM like the one scripts/quarry starts (the test JVM's module flags), with a 512 MB heap. */
  private static ProcessBuilder childJvm(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(HEAP);
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-") || flag.startsWith("-XX:+IgnoreUnrecognized")) {
        command.add(flag);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.quarry.cli.Quarry");
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static List<Path> shards(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }
  }
}
