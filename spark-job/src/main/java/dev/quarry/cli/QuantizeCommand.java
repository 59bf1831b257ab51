package dev.quarry.cli;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.PathOverlap;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import dev.quarry.convert.inprocess.QuantizeOptions;
import dev.quarry.convert.inprocess.QuantizeSummary;
import dev.quarry.convert.inprocess.SafetensorsQuantizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code quarry quantize}: one safetensors file in, its quantized form out, in this process. */
@Command(name = "quantize",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = {
        "Quantizes one safetensors file in this process (no Spark), byte-identical to what bitsandbytes "
            + "computes on a GPU and transformers' save_pretrained writes.",
        "Quantizes the 2-D *.weight tensors of Linear layers (not lm_head, embed_out or the embeddings "
            + "embed_tokens, wte, wpe, word_embeddings, embed_in, embed_positions) and copies every other "
            + "tensor unchanged. NaN or infinite weights are errors unless --allow-non-finite.",
        "The output appears only when complete; on error: one line on stderr, exit code 2, no output."})
final class QuantizeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--mode", required = true, paramLabel = "MODE",
      description = "nf4, nf4-dq, fp4, fp4-dq (4-bit; -dq: double quantization of the absmax), "
          + "int8 (LLM.int8 weights + SCB), int8-training (weights cast to float16).")
  QuantMode mode;

  @Option(names = "--blocksize", paramLabel = "B", defaultValue = "" + QuantizeOptions.DEFAULT_BLOCKSIZE,
      description = "4-bit block size: a power of two from 32 to 4096 (default: ${DEFAULT-VALUE}, as transformers "
          + "and Fabric). Ignored by the int8 modes.")
  int blocksize;

  @Option(names = "--all-tensors",
      description = "Quantize every F32/F16/BF16 tensor of any rank, not only the Linear weights.")
  boolean allTensors;

  @Option(names = "--allow-non-finite",
      description = "Keep a weight holding NaN or +-inf unquantized (original dtype) instead of failing; each one is reported.")
  boolean allowNonFinite;

  @Option(names = "--quant-storage", paramLabel = "DTYPE", defaultValue = "uint8",
      description = "bnb_4bit_quant_storage: the dtype the packed 4-bit codes are stored as, uint8, bfloat16, float16 or "
          + "float32 (the same bytes; FSDP + QLoRA wants the model's dtype; default: ${DEFAULT-VALUE}). Ignored by the "
          + "int8 modes.")
  QuantStorage quantStorage;

  @Option(names = "--overwrite", description = "Replace an existing output file (refused without this option).")
  boolean overwrite;

  @Parameters(index = "0", paramLabel = "IN.safetensors", description = "Input file (local path or Hadoop URI).")
  String input;

  @Parameters(index = "1", paramLabel = "OUT.safetensors", description = "Output file; must not exist unless --overwrite.")
  String output;

  @Override
  public Integer call() throws IOException {
    QuantizeOptions options;
    try {
      options = new QuantizeOptions(mode, blocksize, allTensors, allowNonFinite, quantStorage);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--blocksize: " + e.getMessage());
    }
    Path in = new Path(input);
    Path out = new Path(output);
    FileSystem inFs = FileSystems.forPath(in);
    FileSystem outFs = FileSystems.forPath(out);
    PathOverlap.refuse(inFs, in, outFs, out);
    if (!overwrite && outFs.exists(out)) {
      throw new IOException(output + ": already exists; use --overwrite to replace it");
    }
    QuantizeSummary s = new SafetensorsQuantizer(options).quantize(inFs, in, outFs, out);
    printSummary(spec.commandLine().getOut(), input, output, options, s);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** One line: what went in, what was quantized how, what came out. */
  static void printSummary(PrintWriter out, String input, String output, QuantizeOptions o, QuantizeSummary s) {
    String how = o.mode().isFourBit() ? o.mode() + ", blocksize " + o.blocksize() : o.mode().toString();
    for (String kept : s.keptNonFinite()) {
      out.printf("%s: --allow-non-finite: kept %s unquantized in its original dtype%n", input, kept);
    }
    out.printf("%s: quantized %d of %d tensors (%s) -> %s: %d tensors, %d -> %d bytes%n",
        input, s.quantized(), s.tensorsIn(), how, output, s.tensorsOut(), s.bytesIn(), s.bytesOut());
  }
}
