package dev.quarry.convert;

import dev.quarry.kernels.DynamicMap;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.LittleEndian;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quantize.QuantMode;
import dev.quarry.quantize.QuantStateJson;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The output tensors of one input tensor, in the order of the quantized module's state_dict (the
 * order shards are filled in), with the pieces their bytes come from: the input range for a copy;
 * a section of each of its blocks ({@link BlockSection}) for computed data; inline bytes for
 * codebooks and quant_state ({@code bnb-exact.md} §7; {@code Linear8bitLt} saves weight, SCB,
 * weight_format). Every size follows from the plan; only the quant_state text of double
 * quantization holds a value of the data (the offset), which the scan pass computes first.
 */
final class OutputTensors {
  private static final String WEIGHT = ".weight";

  private OutputTensors() {}

  /**
   * @param tasks  the plan's block tasks, indexed by block id
   * @param offset the tensor's double-quant offset (ignored otherwise)
   */
  static List<OutputTensorPlan> of(TensorPlan p, ConvertOptions o, List<BlockTask> tasks, float offset) {
    QuantMode mode = o.mode();
    TensorEntry t = p.tensor();
    String name = t.name();
    switch (p.action()) {
      case COPY:
        return List.of(new OutputTensorPlan(name, t.dtype(), t.shape(),
            List.of(Piece.ofFile(p.shard().path(), p.shard().dataStart() + t.begin(), t.byteSize()))));
      case CAST:
        return List.of(new OutputTensorPlan(name, Dtype.F16, p.quantizedShape(), pieces(p, tasks, BlockSection.CODES)));
      default:
        return mode.isFourBit() ? fourBit(p, o, tasks, offset) : int8(p, tasks);
    }
  }

  private static List<OutputTensorPlan> fourBit(TensorPlan p, ConvertOptions o, List<BlockTask> tasks, float offset) {
    QuantMode mode = o.mode();
    int blocksize = o.blocksize();
    String name = p.tensor().name();
    long n = p.tensor().elementCount();
    long absmaxCount = (n + blocksize - 1) / blocksize;
    FourBitFormat format = mode.fourBitFormat();
    String type = ElementType.fromSafetensorsName(p.tensor().dtype().name()).torchName();
    List<OutputTensorPlan> out = new ArrayList<>();
    // the planner refused a weight whose packed bytes the storage dtype does not hold
    out.add(new OutputTensorPlan(name, o.quantStorage().dtype(), o.quantStorage().packedShape(n),
        pieces(p, tasks, BlockSection.CODES)));
    byte[] state;
    if (mode.doubleQuant()) {
      long nestedCount = (absmaxCount + NestedAbsmaxQuantizer.NESTED_BLOCKSIZE - 1) / NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
      out.add(new OutputTensorPlan(name + ".absmax", Dtype.U8, List.of(absmaxCount), pieces(p, tasks, BlockSection.SCALES)));
      out.add(codebook(name + ".quant_map", format.codebook()));
      out.add(new OutputTensorPlan(name + ".nested_absmax", Dtype.F32, List.of(nestedCount),
          pieces(p, tasks, BlockSection.NESTED)));
      out.add(codebook(name + ".nested_quant_map", DynamicMap.values()));
      state = QuantStateJson.doubleQuant(format.quantType(), blocksize, type, p.quantizedShape(), offset);
    } else {
      out.add(new OutputTensorPlan(name + ".absmax", Dtype.F32, List.of(absmaxCount), pieces(p, tasks, BlockSection.SCALES)));
      out.add(codebook(name + ".quant_map", format.codebook()));
      state = QuantStateJson.plain(format.quantType(), blocksize, type, p.quantizedShape());
    }
    out.add(new OutputTensorPlan(name + ".quant_state.bitsandbytes__" + format.quantType(), Dtype.U8,
        List.of((long) state.length), List.of(Piece.ofBytes(state))));
    return out;
  }

  private static List<OutputTensorPlan> int8(TensorPlan p, List<BlockTask> tasks) {
    String name = p.tensor().name();
    String module = name.endsWith(WEIGHT) ? name.substring(0, name.length() - WEIGHT.length()) : name;
    List<Long> shape = p.quantizedShape();
    long rows = p.tensor().elementCount() / shape.get(shape.size() - 1);
    return List.of(
        new OutputTensorPlan(name, Dtype.I8, shape, pieces(p, tasks, BlockSection.CODES)),
        new OutputTensorPlan(module + ".SCB", Dtype.F32, List.of(rows), pieces(p, tasks, BlockSection.SCALES)),
        new OutputTensorPlan(module + ".weight_format", Dtype.U8, List.of(), List.of(Piece.ofBytes(new byte[] {0}))));
  }

  private static OutputTensorPlan codebook(String name, float[] values) {
    return new OutputTensorPlan(name, Dtype.F32, List.of((long) values.length), List.of(Piece.ofBytes(LittleEndian.floats(values))));
  }

  private static List<Piece> pieces(TensorPlan p, List<BlockTask> tasks, BlockSection section) {
    List<Piece> pieces = new ArrayList<>();
    for (int b = p.firstBlock(); b < p.firstBlock() + p.blockCount(); b++) {
      pieces.add(Piece.ofBlock(tasks.get(b), section));
    }
    return pieces;
  }
}
