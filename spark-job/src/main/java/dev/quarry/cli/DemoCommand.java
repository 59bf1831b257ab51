package dev.quarry.cli;

import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.KernelChoice;
import dev.quarry.quantize.QuantMode;
import dev.quarry.quantize.QuantizeOptions;
import dev.quarry.quantize.QuantizeSummary;
import dev.quarry.quantize.SafetensorsQuantizer;
import dev.quarry.sample.SampleCheckpoint;
import dev.quarry.sample.SampleModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quarry demo}: generates a small sample model and quantizes each of its shards. */
@Command(name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = "Generates a small Llama-shaped bfloat16 sample model (a few MB, 5 shards) in DIR/input and "
        + "quantizes each shard into DIR/<mode>, printing what it does.")
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
    fs.mkdirs(outputDir);
    QuantizeOptions options = QuantizeOptions.of(mode);
    SafetensorsQuantizer quantizer = new SafetensorsQuantizer(KernelChoice.kernels(), options);
    for (Path shard : shards) {
      Path target = new Path(outputDir, shard.getName());
      QuantizeSummary s = quantizer.quantize(fs, shard, fs, target);
      QuantizeCommand.printSummary(out, shard.toString(), target.toString(), options, s);
    }
    out.flush();
    return 0;
  }
}
