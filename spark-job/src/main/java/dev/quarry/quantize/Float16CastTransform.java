package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16Caster;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.LittleEndian;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** int8-training ({@code bnb-exact.md} §5): the weight cast to float16, same name and shape. */
record Float16CastTransform(KernelSupport kernels) implements TensorTransform {

  @Override
  public List<OutputTensor> apply(SafetensorsFile input, TensorEntry tensor, StagingFile staging) throws IOException {
    ElementType type = TensorTransform.elementType(tensor);
    Float16Caster caster = new Float16Caster(kernels, type);
    ByteBuffer f16 = LittleEndian.allocate(CHUNK_ELEMENTS * 2);
    long start = staging.position();
    TensorChunkReader reader = new TensorChunkReader(input, tensor, type, CHUNK_ELEMENTS);
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      f16.clear();
      try {
        caster.cast(chunk, chunk.remaining() / type.byteSize(), f16);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(input.name(), tensor.name(), reader.chunkStart(), e);
      }
      f16.flip();
      staging.append(f16);
    }
    return List.of(new OutputTensor(new TensorSpec(tensor.name(), Dtype.F16, tensor.shape()), staging.rangeFrom(start)));
  }
}
