package dev.quarry.bench;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import dev.quarry.convert.SparkContexts;
import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.QuantMode;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code scripts/bench convert|memory DIR}: end-to-end conversion throughput on a generated
 * bfloat16 Llama checkpoint (generated once into DIR and reused), with the I/O floor and the
 * single-core kernel figure measured in the same run. {@code convert}: the shapes of a 7B Llama (32
 * layers, about 13.5 GB), nf4-dq and int8. {@code memory}: 10 such layers (about 4.6 GB), nf4-dq,
 * meant to run with small heaps (scripts/bench sets -Xmx512m). {@code generate}: only writes the
 * 32-layer model (scripts/bench cluster converts it on a standalone cluster: every executor JVM compiles
 * its kernels and Spark's task path again, several seconds of one core, which a smaller input does not
 * amortize).
 */
public final class ConvertBench {
  private ConvertBench() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2 || !List.of("convert", "memory", "generate").contains(args[0])) {
      System.err.println("usage: bench convert|memory|generate DIR");
      System.exit(2);
    }
    // memory: the 10-layer model; convert and generate (the input of scripts/bench cluster): 32 layers
    boolean memory = args[0].equals("memory");
    SampleModelConfig model = new SampleModelConfig(memory ? 10 : 32, 4096, 11008, 32000, 32, 32, 5_000_000_000L, 42L);
    Path root = new Path(args[1]);
    FileSystem fs = FileSystems.forPath(root);
    Path input = new Path(root, (memory ? "llama-10l" : "llama-7b") + "-bf16");
    generateOnce(fs, input, model);
    if (args[0].equals("generate")) {
      print("input %s", input);
      return;
    }
    long inputBytes = inputBytes(fs, input);
    int cores = Runtime.getRuntime().availableProcessors();
    print("input %s: %.2f GB; %d cores; max heap %d MB", input, inputBytes / 1e9, cores, Runtime.getRuntime().maxMemory() >> 20);
    for (QuantMode mode : memory ? List.of(QuantMode.NF4_DQ) : List.of(QuantMode.NF4_DQ, QuantMode.INT8)) {
      Path output = new Path(root, "out-" + mode.cliName());
      fs.delete(output, true);
      double kernel = KernelThroughput.singleCore(mode);
      long start = System.nanoTime();
      ConvertSummary s;
      try (JavaSparkContext sc = SparkContexts.start("quarry bench " + mode, null)) {
        s = ConversionJob.run(sc, ConvertOptions.of(input.toString(), output.toString(), mode), line -> print("  %s", line));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double floor = IoFloor.seconds(fs, input, new Path(root, "io-floor.tmp"), s.bytesOut());
      print("%s: end to end %.1f s = %.3f GB/s of input (target >= 1.5); quantize stage %.3f GB/s = %.0f%% of %d x "
              + "single-core kernel %.3f GB/s (target >= 75%%); I/O floor (read input + write output) %.1f s = %.3f GB/s",
          mode, seconds, inputBytes / seconds / 1e9, s.bytesIn() / s.quantizeSeconds() / 1e9,
          100 * (s.bytesIn() / s.quantizeSeconds() / 1e9) / (cores * kernel), cores, kernel, floor, inputBytes / floor / 1e9);
      fs.delete(output, true);
    }
  }

  private static void generateOnce(FileSystem fs, Path dir, SampleModelConfig model) throws IOException {
    Path done = new Path(dir, "_GENERATED");
    if (fs.exists(done)) {
      return;
    }
    print("generating %s (once)...", dir);
    long start = System.nanoTime();
    SampleCheckpoint.write(fs, dir, model);
    fs.create(done, true).close();
    print("generated in %.0f s", (System.nanoTime() - start) / 1e9);
  }

  private static long inputBytes(FileSystem fs, Path dir) throws IOException {
    long total = 0;
    for (var f : fs.listStatus(dir)) {
      if (f.getPath().getName().endsWith(".safetensors")) {
        total += f.getLen();
      }
    }
    return total;
  }

  static void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
