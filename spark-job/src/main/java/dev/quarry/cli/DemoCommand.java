package dev.quarry.cli;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.ConvertSummary;
import dev.quarry.spark.SparkContexts;
import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.QuantMode;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quarry demo}: generates a small sample model and converts it on Spark in local mode. */
@Command(name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = "Generates a small Llama-shaped bfloat16 sample model (a few MB, 5 shards) in DIR/input and "
        + "converts it with Spark (local mode) into DIR/<mode>, printing what it does.")
final class DemoCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "quarry-demo",
      description = "Working directory (default: ${DEFAULT-VALUE}).")
  String dir;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "nf4-dq",
      description = "Quantization mode: nf4, nf4-dq, fp4, fp4-dq, int8, int8-training (default: ${DEFAULT-VALUE}).")
  QuantMode mode;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path root = new Path(dir);
    FileSystem fs = FileSystems.forPath(root);
    Path inputDir = new Path(root, "input");
    Path outputDir = new Path(root, mode.cliName());
    SampleModelConfig config = SampleModelConfig.tinyLlama();
    List<Path> shards = SampleCheckpoint.write(fs, inputDir, config);
    out.printf("generated a %d-layer Llama sample (hidden %d, vocab %d, bfloat16) in %s: %d shards%n",
        config.layers(), config.hidden(), config.vocab(), inputDir, shards.size());
    out.flush();
    try (JavaSparkContext sc = SparkContexts.start("quarry demo", null)) {
      // the demo regenerates its input, so a rerun is a different conversion: it owns its output directory
      ConvertSummary s = ConvertCommand.run(sc,
          ConvertOptions.of(inputDir.toString(), outputDir.toString(), mode).withOverwrite(true), out);
      out.println(outputDir + ": " + s.describe());
    }
    out.flush();
    return 0;
  }
}
