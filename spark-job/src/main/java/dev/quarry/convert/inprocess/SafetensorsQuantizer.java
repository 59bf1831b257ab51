package dev.quarry.convert.inprocess;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.InputShard;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.fs.FileSystems;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.SafetensorsHeader;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Quantizes one safetensors file in this process: the selected tensors are quantized, every other
 * tensor is copied unchanged, by the block path of a conversion ({@link InProcessConversion}). The
 * output is written to a temporary file next to it that replaces the output only when complete; on
 * any error neither is left behind.
 */
public final class SafetensorsQuantizer {
  private final QuantizeOptions options;

  public SafetensorsQuantizer(QuantizeOptions options) {
    this.options = options;
  }

  public QuantizeSummary quantize(FileSystem inFs, Path in, FileSystem outFs, Path out) throws IOException {
    ScratchFiles.removeLeftovers(outFs, out);
    Path temporary = ScratchFiles.temporary(out);
    try {
      SafetensorsHeader header;
      try (SafetensorsFile input = SafetensorsFile.open(inFs, in)) {
        header = input.header();
      }
      // the path as given: messages name the file as the user did
      InputShard shard = new InputShard(in.toString(), header.dataStart(), header.tensors());
      InProcessConversion.Result r = InProcessConversion.run(shard, convertOptions(in, out), options.allTensors(),
          temporary);
      FileSystems.commit(outFs, temporary, out);
      List<TensorEntry> inputTensors = header.tensors();
      long bytesIn = header.dataStart() + (inputTensors.isEmpty() ? 0 : inputTensors.get(inputTensors.size() - 1).end());
      int quantized = (int) r.plan().tensors().stream().filter(t -> t.action() != TensorAction.COPY).count();
      return new QuantizeSummary(inputTensors.size(), quantized, r.tensors().size(), bytesIn, r.fileBytes(),
          r.keptNonFinite());
    } finally {
      if (outFs.exists(temporary)) {
        outFs.delete(temporary, false);
      }
    }
  }

  /** A conversion's options for this file: transformers' module selection, no config.json (no compute dtype). */
  private ConvertOptions convertOptions(Path in, Path out) {
    return new ConvertOptions(in.toString(), out.toString(), options.mode(), options.blocksize(),
        ModuleRules.TRANSFORMERS_DEFAULTS, ConvertOptions.DEFAULT_BLOCK_BYTES, ConvertOptions.DEFAULT_MAX_SHARD_BYTES, 0)
        .withAllowNonFinite(options.allowNonFinite()).withOutputDtypes(options.storage(), null);
  }
}
