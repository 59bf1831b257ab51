package dev.quarry.cli;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import dev.quarry.convert.PreparedConversion;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
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
      description = "Spark partitions for the blocks (default: 4 per core, at most 256 MiB of input each, and no more than blocks).")
  int partitions;

  @Option(names = "--allow-non-finite",
      description = "Keep a weight holding NaN or +-inf unquantized (original dtype, added to llm_int8_skip_modules) "
          + "instead of failing; each one is reported.")
  boolean allowNonFinite;

  @Option(names = "--overwrite",
      description = "Replace what the output directory holds: the completed output of a different conversion, or "
          + "files that are not quarry's (refused without this option).")
  boolean overwrite;

  @Override
  public Integer call() throws IOException {
    ConvertOptions options = conversion.toOptions(spec, input, output, partitions)
        .withAllowNonFinite(allowNonFinite).withOverwrite(overwrite);
    PrintWriter out = spec.commandLine().getOut();
    // bad input fails here, in a fraction of a second, before Spark starts
    PreparedConversion prepared = ConversionJob.prepare(options);
    ConvertSummary s = ConvertSummary.nothingToDo();
    if (!prepared.alreadyDone()) {
      try (JavaSparkContext sc = spark.start("quarry convert " + options.mode())) {
        s = ConversionJob.run(sc, prepared, lineWriter(out));
      }
    }
    out.println(output + ": " + s.describe());
    out.flush();
    return 0;
  }

  /** Runs one conversion, its progress lines going to {@code out}. */
  static ConvertSummary run(JavaSparkContext sc, ConvertOptions options, PrintWriter out) throws IOException {
    return ConversionJob.run(sc, options, lineWriter(out));
  }

  private static Consumer<String> lineWriter(PrintWriter out) {
    return line -> {
      out.println(line);
      out.flush();
    };
  }
}
