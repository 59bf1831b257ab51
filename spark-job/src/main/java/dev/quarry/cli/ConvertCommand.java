package dev.quarry.cli;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import dev.quarry.convert.ModeOutcome;
import dev.quarry.convert.PreparedModes;
import dev.quarry.convert.PreparedConversion;
import dev.quarry.quantize.QuantMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
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
            + "last, and a rerun over a complete output does nothing.",
        "Several modes (--mode nf4-dq,fp4,int8) are converted in one read of the input, each into <DIR>/<mode> "
            + "(byte-identical to a run of that mode alone, with its own manifest and _SUCCESS). A mode that fails "
            + "leaves no output and does not stop the others; complete outputs are left alone.",
        "Exit codes: 0 done; 1 (several modes) some modes failed and the others were written; 2 error (with several "
            + "modes: every mode failed)."})
final class ConvertCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "PATH", description = "Model directory or .safetensors file (local path or Hadoop URI).")
  String input;

  @Option(names = "--output", required = true, paramLabel = "DIR",
      description = "Output directory; with several modes, the parent of one directory per mode (<DIR>/<mode>).")
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
    List<QuantMode> modes = conversion.modes(spec);
    if (modes.size() > 1) {
      return convertModes(modes);
    }
    ConvertOptions options = options(output, modes.get(0));
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

  private ConvertOptions options(String dir, QuantMode mode) {
    return conversion.toOptions(spec, input, dir, partitions, mode).withAllowNonFinite(allowNonFinite)
        .withOverwrite(overwrite);
  }

  /** Every mode in one read of the input, each into {@code <output>/<mode>}; each failure is its mode's line on stderr. */
  private int convertModes(List<QuantMode> modes) throws IOException {
    PreparedModes prepared = PreparedModes.prepare(modes.stream()
        .map(m -> options(ConvertOptions.modeOutput(output, m), m)).toList());
    // the same bad input for every mode: one error, as for one mode
    if (prepared.commonFailure() instanceof IOException e) {
      throw e;
    }
    if (prepared.commonFailure() instanceof RuntimeException e) {
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    List<ModeOutcome> outcomes;
    if (prepared.anythingToDo()) {
      try (JavaSparkContext sc = spark.start("quarry convert " + modes.stream().map(QuantMode::cliName)
          .collect(Collectors.joining(",")))) {
        outcomes = prepared.run(sc, lineWriter(out));
      }
    } else {
      outcomes = prepared.run(null, lineWriter(out));
    }
    PrintWriter err = spec.commandLine().getErr();
    long failed = 0;
    for (ModeOutcome r : outcomes) {
      if (r.failed()) {
        err.println("quarry: error: " + r.options().mode().cliName() + ": " + ErrorMessages.of(r.failure()));
        failed++;
      } else {
        out.println(r.options().output() + ": " + r.summary().describe());
      }
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : failed == outcomes.size() ? Quarry.EXIT_ERROR : Quarry.EXIT_MISMATCH;
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
