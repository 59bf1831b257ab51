package dev.quarry.quantize;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.safetensors.CheckpointFormatException;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.SafetensorsWriter;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Quantizes one safetensors file in this process: the selected tensors are quantized, every other
 * tensor is copied unchanged. Two passes: tensors are quantized in input order and their results
 * appended to a staging file next to the output; then the output is written in safetensors order
 * (header first) from the input and the staging file. It goes to a temporary file next to the
 * output that replaces the output only when complete; on any error neither is left behind.
 */
public final class SafetensorsQuantizer {
  private static final int COPY_BUFFER_BYTES = 1 << 20;

  private final ModuleSelector selector;
  private final TensorTransform transform;
  private final QuantizeOptions options;

  public SafetensorsQuantizer(KernelSupport kernels, QuantizeOptions options) {
    this.selector = new ModuleSelector(options.allTensors());
    this.options = options;
    QuantMode mode = options.mode();
    if (mode.isFourBit()) {
      this.transform = new FourBitTransform(kernels, mode.fourBitFormat(), options.blocksize(), mode.doubleQuant(),
          options.storage());
    } else if (mode == QuantMode.INT8) {
      this.transform = new Int8Transform(kernels);
    } else {
      this.transform = new Float16CastTransform(kernels);
    }
  }

  public QuantizeSummary quantize(FileSystem inFs, Path in, FileSystem outFs, Path out) throws IOException {
    ScratchFiles.removeLeftovers(outFs, out);
    ScratchFiles scratch = new ScratchFiles(out);
    Path temporary = scratch.temporary();
    try (SafetensorsFile input = SafetensorsFile.open(inFs, in);
        StagingFile staging = new StagingFile(outFs, scratch.staging())) {
      List<OutputTensor> outputs = new ArrayList<>();
      List<String> keptNonFinite = new ArrayList<>();
      int quantized = 0;
      for (TensorEntry t : input.header().tensors()) {
        selector.checkDtype(input.name(), t, options.mode());
        if (!selector.quantizes(t)) {
          outputs.addAll(TensorTransform.COPY.apply(input, t, staging));
          continue;
        }
        try {
          outputs.addAll(transform.apply(input, t, staging));
          quantized++;
        } catch (NonFiniteValueException e) {
          if (!options.allowNonFinite()) {
            throw e;
          }
          // what the transform staged so far stays unreferenced in the scratch file
          keptNonFinite.add("'" + t.name() + "' (" + e.problem() + ")");
          outputs.addAll(TensorTransform.COPY.apply(input, t, staging));
        }
      }
      SafetensorsLayout layout = layout(input.name(), outputs);
      write(outFs, temporary, layout, outputs);
      FileSystems.commit(outFs, temporary, out);
      List<TensorEntry> inputTensors = input.header().tensors();
      long bytesIn = input.header().dataStart() + (inputTensors.isEmpty() ? 0 : inputTensors.get(inputTensors.size() - 1).end());
      return new QuantizeSummary(inputTensors.size(), quantized, outputs.size(), bytesIn, layout.fileLength(),
          keptNonFinite);
    } finally {
      if (outFs.exists(temporary)) {
        outFs.delete(temporary, false);
      }
    }
  }

  private static SafetensorsLayout layout(String file, List<OutputTensor> outputs) throws CheckpointFormatException {
    Set<String> names = new HashSet<>();
    List<TensorSpec> specs = new ArrayList<>();
    for (OutputTensor o : outputs) {
      if (!names.add(o.spec().name())) {
        throw new CheckpointFormatException(file, o.spec().name(),
            "the input already holds a tensor of the name a quantized tensor needs");
      }
      specs.add(o.spec());
    }
    return SafetensorsLayout.of(specs, SafetensorsLayout.PYTORCH_METADATA);
  }

  private static void write(FileSystem fs, Path path, SafetensorsLayout layout, List<OutputTensor> outputs)
      throws IOException {
    Map<String, OutputTensor> byName = new HashMap<>();
    outputs.forEach(o -> byName.put(o.spec().name(), o));
    ByteBuffer scratch = ByteBuffer.allocate(COPY_BUFFER_BYTES);
    try (SafetensorsWriter writer = new SafetensorsWriter(NamedOutputStream.create(fs, path, true), layout)) {
      for (TensorEntry t : layout.tensors()) {
        writer.beginTensor(t.name());
        byName.get(t.name()).source().writeTo(writer, scratch);
      }
      writer.finish();
    }
  }
}
