package dev.quarry.cli;

import dev.quarry.dequantize.DequantizeJob;
import dev.quarry.safetensors.Dtype;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quarry dequantize}: a quantized checkpoint back to bfloat16/float16 weights in HF layout. */
@Command(name = "dequantize",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = "Turns a bitsandbytes checkpoint (quarry's, transformers' or Fabric's: 4-bit with or without double "
        + "quantization, int8) back into a plain Hugging Face checkpoint, the values bitsandbytes' dequantization "
        + "gives, for evaluating quantization error downstream. Runs on Spark; _SUCCESS is written last.")
final class DequantizeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OUT", description = "The quantized checkpoint directory.")
  String quantized;

  @Parameters(index = "1", paramLabel = "DIR", description = "Where to write the dequantized checkpoint.")
  String output;

  @Option(names = "--dtype", paramLabel = "DTYPE",
      description = "bfloat16, float16 or float32 (default: each 4-bit weight's original dtype; for int8 weights "
          + "config.json's dtype).")
  String dtype;

  @Option(names = "--max-shard-size", paramLabel = "SIZE", defaultValue = "5GB", converter = ByteSizeConverter.class,
      description = "Largest output shard, as transformers' max_shard_size (default: ${DEFAULT-VALUE}).")
  long maxShardBytes;

  @Mixin
  SparkOptions spark;

  @Override
  public Integer call() throws IOException {
    Dtype target = dtype == null ? null : switch (dtype) {
      case "bfloat16" -> Dtype.BF16;
      case "float16" -> Dtype.F16;
      case "float32" -> Dtype.F32;
      default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--dtype must be bfloat16, float16 or float32, not '" + dtype + "'");
    };
    PrintWriter out = spec.commandLine().getOut();
    try (JavaSparkContext sc = spark.start("quarry dequantize")) {
      int tensors = DequantizeJob.run(sc, quantized, output, target, maxShardBytes);
      out.printf("%s: %d tensors dequantized from %s%n", output, tensors, quantized);
    }
    out.flush();
    return 0;
  }
}
