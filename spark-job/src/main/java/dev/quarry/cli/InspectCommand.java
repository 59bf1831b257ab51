package dev.quarry.cli;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.ShardTask;
import dev.quarry.convert.plan.TensorPlan;
import dev.quarry.inspect.DryRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quarry inspect}: what {@code convert} would do with a model, without doing it. */
@Command(name = "inspect",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = {
        "A dry run of convert: reads only the model's headers and prints the plan — each tensor's action and its "
            + "tensor blocks (the Spark tasks), the output shards — and the output size. Writes nothing, starts no Spark.",
        "The size is exact, except under double quantization (nf4-dq, fp4-dq), where the length of each quant_state's "
            + "nested_offset text depends on the data: it is then given as a range."})
final class InspectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "Model directory or .safetensors file (local path or Hadoop URI).")
  String input;

  @Mixin
  ConversionOptions conversion;

  @Override
  public Integer call() throws IOException {
    DryRun run = DryRun.of(conversion.toOptions(spec, input, "(dry run)", 0));
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "model %s: %d tensors in %d shard(s), %d bytes%n", input, run.model().tensorCount(),
        run.model().shards().size(), run.model().inputBytes());
    out.printf(Locale.ROOT, "mode %s, blocksize %d: %d tensor blocks%n", conversion.mode(spec), conversion.blocksize,
        run.plan().blocks().size());
    out.println("tensors:");
    for (TensorPlan t : run.plan().tensors()) {
      out.printf(Locale.ROOT, "  %-8s %s %s %s%s%s%n", t.action().name().toLowerCase(Locale.ROOT), t.tensor().name(),
          t.tensor().dtype(), t.tensor().shape(), t.transposed() ? " (transposed)" : "", blocks(run, t));
    }
    out.println("output shards:");
    for (ShardTask s : run.layout().shards()) {
      out.printf(Locale.ROOT, "  %s: %d tensors, %d bytes%n", s.fileName(), s.tensors().size(), OutputLayout.fileBytes(s));
    }
    if (run.outputBytes() == run.maxOutputBytes()) {
      out.printf(Locale.ROOT, "output size: %d bytes%n", run.outputBytes());
    } else {
      out.printf(Locale.ROOT, "output size: %d to %d bytes (the nested_offset texts are not known before the data is read)%n",
          run.outputBytes(), run.maxOutputBytes());
    }
    out.flush();
    return 0;
  }

  private static String blocks(DryRun run, TensorPlan t) {
    if (t.blockCount() == 0) {
      return "";
    }
    BlockTask first = run.plan().blocks().get(t.firstBlock());
    return String.format(Locale.ROOT, ": %d block(s) of up to %d elements", t.blockCount(), first.elementCount());
  }
}
