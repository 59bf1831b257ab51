package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.util.List;

/** How one input tensor becomes the tensors of the output file. */
interface TensorTransform {
  /**
   * Elements read per chunk: 2 MiB of bf16 input, a multiple of every 4-bit blocksize. With the
   * outputs of one chunk and one tensor's statistics this bounds the memory of a conversion.
   */
  long CHUNK_ELEMENTS = 1 << 20;

  /**
   * Reads {@code tensor} from {@code input} in bounded chunks, appends the large results to
   * {@code staging}, and returns the output tensors with their sources.
   */
  List<OutputTensor> apply(SafetensorsFile input, TensorEntry tensor, StagingFile staging) throws IOException;

  /** The kernels' element type of a tensor the selector chose (F32, F16 or BF16). */
  static ElementType elementType(TensorEntry tensor) {
    return ElementType.fromSafetensorsName(tensor.dtype().name());
  }

  /** Copies the tensor unchanged: its output source is the input file's byte range. */
  TensorTransform COPY = (input, tensor, staging) -> List.of(new OutputTensor(
      new TensorSpec(tensor.name(), tensor.dtype(), tensor.shape()),
      new RangeSource((position, dst) -> input.read(tensor, position, dst), 0, tensor.byteSize())));
}
