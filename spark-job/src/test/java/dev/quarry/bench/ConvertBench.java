package dev.quarry.bench;

import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.QuantMode;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Java side of {@code scripts/bench convert|memory|cluster}, which time {@code scripts/quarry
 * convert} itself, cold, beside the machine's I/O floor. {@code generate DIR}: writes (once, then
 * reuses) a bfloat16 checkpoint with the shapes of a 7B Llama (32 layers, about 13.5 GB) and prints
 * its path; {@code generate-small DIR}: 10 such layers (about 4.6 GB, for the bounded-memory run);
 * {@code kernel MODE}: the single-core figure of the kernel the mode uses, in GB/s of input.
 */
public final class ConvertBench {
  private ConvertBench() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 2 && args[0].equals("kernel")) {
      print("%.3f", KernelThroughput.singleCore(QuantMode.fromCliName(args[1])));
      return;
    }
    if (args.length != 2 || !(args[0].equals("generate") || args[0].equals("generate-small"))) {
      System.err.println("usage: bench generate|generate-small DIR | kernel MODE");
      System.exit(2);
    }
    boolean small = args[0].equals("generate-small");
    SampleModelConfig model = new SampleModelConfig(small ? 10 : 32, 4096, 11008, 32000, 32, 32, 5_000_000_000L, 42L);
    Path root = new Path(args[1]);
    FileSystem fs = FileSystems.forPath(root);
    Path input = new Path(root, (small ? "llama-10l" : "llama-7b") + "-bf16");
    Path done = new Path(input, "_GENERATED");
    if (!fs.exists(done)) {
      System.err.printf(Locale.ROOT, "generating %s (once)...%n", input);
      long start = System.nanoTime();
      SampleCheckpoint.write(fs, input, model);
      fs.create(done, true).close();
      System.err.printf(Locale.ROOT, "generated in %.0f s%n", (System.nanoTime() - start) / 1e9);
    }
    print("input %s", fs.makeQualified(input).toUri().getPath());
  }

  private static void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
