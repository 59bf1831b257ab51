package dev.quarry.cli;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quarry convert}: a whole Hugging Face model to a transformers-loadable quantized checkpoint, on Spark. */
@Command(name = "convert",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = {
        "Converts a Hugging Face model (a directory with config.json and model.safetensors or sharded "
            + "safetensors + index, or one .safetensors file) into a bitsandbytes-quantized checkpoint that "
            + "transformers loads, byte-identical to what bitsandbytes computes on a GPU. Runs on Spark.",
        "Every other file of the model (tokenizer, generation config) is copied unchanged; _SUCCESS is written "
            + "last, and a rerun over a complete output does nothing."})
final class ConvertCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "PATH", description = "Model directory or .safetensors file (local path or Hadoop URI).")
  String input;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory.")
  String output;

  @Mixin
  ConversionOptions conversion;

  @Mixin
  SparkOptions spark;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = "Spark partitions for the blocks (default: one per block).")
  int partitions;

  @Override
  public Integer call() throws IOException {
    ConvertOptions options = conversion.toOptions(spec, input, output, partitions);
    PrintWriter out = spec.commandLine().getOut();
    try (JavaSparkContext sc = spark.start("quarry convert " + options.mode())) {
      ConvertSummary s = run(sc, options, out);
      out.println(output + ": " + s.describe());
    }
    out.flush();
    return 0;
  }

  /** Runs one conversion, its progress lines going to {@code out}. */
  static ConvertSummary run(JavaSparkContext sc, ConvertOptions options, PrintWriter out) throws IOException {
    return ConversionJob.run(sc, options, line -> {
      out.println(line);
      out.flush();
    });
  }
}
