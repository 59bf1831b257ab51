package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.Int8Quantizer;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.LittleEndian;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * LLM.int8 ({@code bnb-exact.md} §4): the int8 weight (same name and shape), {@code <module>.SCB}
 * (float32 per row) and {@code <module>.weight_format} (uint8 scalar 0), as {@code Linear8bitLt}
 * saves them. Rows are the last dimension; a tensor not named {@code *.weight} (only with
 * --all-tensors) uses its own name as the module prefix.
 */
record Int8Transform(KernelSupport kernels) implements TensorTransform {
  private static final String WEIGHT_SUFFIX = ".weight";

  @Override
  public List<OutputTensor> apply(SafetensorsFile input, TensorEntry tensor, StagingFile staging) throws IOException {
    ElementType type = TensorTransform.elementType(tensor);
    List<Long> shape = tensor.shape();
    long cols = shape.isEmpty() ? 1 : shape.get(shape.size() - 1);
    long rows = tensor.elementCount() / cols;
    Int8Quantizer quantizer = new Int8Quantizer(kernels, type, Math.toIntExact(cols));
    // A chunk holds whole rows (a row's absmax is needed before any of its codes), at least one.
    long rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / cols);
    // The per-row scales of this one tensor are held (4 bytes per row) and staged after the codes.
    ByteBuffer scb = LittleEndian.allocate(rows * 4);
    ByteBuffer codes = LittleEndian.allocate(rowsPerChunk * cols);
    long codesStart = staging.position();
    TensorChunkReader reader = new TensorChunkReader(input, tensor, type, rowsPerChunk * cols);
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      codes.clear();
      try {
        quantizer.quantizeRows(chunk, chunk.remaining() / type.byteSize() / cols, codes, scb);
      } catch (Float16OverflowException e) {
        throw InvalidTensorValueException.float16Overflow(input.name(), tensor.name(), reader.chunkStart(), e);
      }
      codes.flip();
      staging.append(codes);
    }
    RangeSource int8Codes = staging.rangeFrom(codesStart);
    scb.flip();
    String name = tensor.name();
    String module = name.endsWith(WEIGHT_SUFFIX) ? name.substring(0, name.length() - WEIGHT_SUFFIX.length()) : name;
    return List.of(
        new OutputTensor(new TensorSpec(name, Dtype.I8, shape), int8Codes),
        new OutputTensor(new TensorSpec(module + ".SCB", Dtype.F32, List.of(rows)), staging.stage(scb)),
        new OutputTensor(new TensorSpec(module + ".weight_format", Dtype.U8, List.of()), new InlineBytes(new byte[] {0})));
  }
}
