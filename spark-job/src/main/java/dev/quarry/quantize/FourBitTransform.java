package dev.quarry.quantize;

import dev.quarry.bnb.QuantStateJson;
import dev.quarry.kernels.DynamicMap;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.LittleEndian;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * nf4 / fp4, with or without double quantization: the tensors {@code save_pretrained} writes for a
 * {@code Linear4bit} weight ({@code bnb-exact.md} §7), the packed codes stored as {@code storage}.
 */
record FourBitTransform(KernelSupport kernels, FourBitFormat format, int blocksize, boolean doubleQuant, QuantStorage storage)
    implements TensorTransform {

  @Override
  public List<OutputTensor> apply(SafetensorsFile input, TensorEntry tensor, StagingFile staging) throws IOException {
    ElementType type = TensorTransform.elementType(tensor);
    long n = tensor.elementCount();
    if (!storage.holds(n)) {
      throw new CheckpointException(input.name(), tensor.name(), storage.refusal(n));
    }
    long blocks = ceilDiv(n, blocksize);
    FourBitQuantizer quantizer = new FourBitQuantizer(kernels, format, type, blocksize);
    // The absmax of this one tensor is held in memory (4 bytes per block: 1/32 of the bf16 tensor
    // at blocksize 64): double quantization needs all of it, and the mean, before any code.
    ByteBuffer absmax = LittleEndian.allocate(blocks * 4);
    ByteBuffer packed = LittleEndian.allocate(CHUNK_ELEMENTS / 2);
    long packedStart = staging.position();
    TensorChunkReader reader = new TensorChunkReader(input, tensor, type, CHUNK_ELEMENTS);
    for (ByteBuffer chunk = reader.next(); chunk != null; chunk = reader.next()) {
      packed.clear();
      quantizer.quantize(chunk, chunk.remaining() / type.byteSize(), packed, absmax);
      packed.flip();
      staging.append(packed);
    }
    RangeSource packedCodes = staging.rangeFrom(packedStart);
    absmax.flip();

    String name = tensor.name();
    List<OutputTensor> out = new ArrayList<>();
    out.add(new OutputTensor(new TensorSpec(name, storage.dtype(), storage.packedShape(n)), packedCodes));
    out.add(new OutputTensor(new TensorSpec(name + ".quant_map", Dtype.F32, List.of(16L)),
        new InlineBytes(LittleEndian.floats(format.codebook()))));
    byte[] quantState;
    if (doubleQuant) {
      float offset = quantizer.absmaxSum().mean(blocks);
      long nestedBlocks = ceilDiv(blocks, NestedAbsmaxQuantizer.NESTED_BLOCKSIZE);
      ByteBuffer codes = LittleEndian.allocate(blocks);
      ByteBuffer nestedAbsmax = LittleEndian.allocate(nestedBlocks * 4);
      NestedAbsmaxQuantizer.quantize(absmax, (int) blocks, offset, codes, nestedAbsmax);
      codes.flip();
      nestedAbsmax.flip();
      out.add(new OutputTensor(new TensorSpec(name + ".absmax", Dtype.U8, List.of(blocks)), staging.stage(codes)));
      out.add(new OutputTensor(new TensorSpec(name + ".nested_absmax", Dtype.F32, List.of(nestedBlocks)),
          staging.stage(nestedAbsmax)));
      out.add(new OutputTensor(new TensorSpec(name + ".nested_quant_map", Dtype.F32, List.of((long) DynamicMap.SIZE)),
          new InlineBytes(LittleEndian.floats(DynamicMap.values()))));
      quantState = QuantStateJson.doubleQuant(format.quantType(), blocksize, type.torchName(), tensor.shape(), offset);
    } else {
      out.add(new OutputTensor(new TensorSpec(name + ".absmax", Dtype.F32, List.of(blocks)), staging.stage(absmax)));
      quantState = QuantStateJson.plain(format.quantType(), blocksize, type.torchName(), tensor.shape());
    }
    out.add(new OutputTensor(
        new TensorSpec(name + ".quant_state.bitsandbytes__" + format.quantType(), Dtype.U8, List.of((long) quantState.length)),
        new InlineBytes(quantState)));
    return out;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
