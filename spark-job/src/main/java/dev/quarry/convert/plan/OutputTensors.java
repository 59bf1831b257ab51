package dev.quarry.convert.plan;

import dev.quarry.bnb.FormatTensor;
import dev.quarry.bnb.WeightFormat;
import dev.quarry.kernels.ElementType;
import java.util.ArrayList;
import java.util.List;

/**
 * The output tensors of one input tensor, as the checkpoint format lays them out ({@link WeightFormat}),
 * with the pieces their bytes come from: the input range for a copy; a section of each of its blocks
 * ({@link BlockSection}) for computed data; inline bytes for the format's constants (codebooks,
 * quant_state). Every size follows from the plan; only the quant_state text of double quantization
 * holds a value of the data (the offset), which the scan pass computes first.
 */
final class OutputTensors {
  private OutputTensors() {}

  /**
   * @param tasks  the plan's block tasks, indexed by block id
   * @param offset the tensor's double-quant offset (ignored otherwise)
   */
  static List<OutputTensorPlan> of(TensorPlan p, ConvertOptions o, List<BlockTask> tasks, float offset) {
    String name = p.tensor().name();
    List<FormatTensor> format = switch (p.action()) {
      case COPY -> null;
      case CAST -> WeightFormat.float16(name, p.quantizedShape());
      case QUANTIZE -> o.mode().isFourBit()
          // the planner refused a weight whose packed bytes the storage dtype does not hold
          ? WeightFormat.fourBit(name, o.mode(), o.blocksize(), o.quantStorage(),
              ElementType.fromSafetensorsName(p.tensor().dtype().name()).torchName(), p.quantizedShape(), offset)
          : WeightFormat.int8(name, p.quantizedShape());
    };
    if (format == null) {
      return List.of(new OutputTensorPlan(name, p.tensor().dtype(), p.tensor().shape(),
          List.of(Piece.ofFile(p.shard().path(), p.shard().dataStart() + p.tensor().begin(), p.tensor().byteSize()))));
    }
    List<OutputTensorPlan> out = new ArrayList<>();
    for (FormatTensor t : format) {
      List<Piece> pieces = switch (t.content()) {
        case CODES -> pieces(p, tasks, BlockSection.CODES);
        case SCALES -> pieces(p, tasks, BlockSection.SCALES);
        case NESTED_SCALES -> pieces(p, tasks, BlockSection.NESTED);
        case CONSTANT -> List.of(Piece.ofBytes(t.constant()));
      };
      out.add(new OutputTensorPlan(t.name(), t.dtype(), t.shape(), pieces));
    }
    return out;
  }

  private static List<Piece> pieces(TensorPlan p, List<BlockTask> tasks, BlockSection section) {
    List<Piece> pieces = new ArrayList<>();
    for (int b = p.firstBlock(); b < p.firstBlock() + p.blockCount(); b++) {
      pieces.add(Piece.ofBlock(tasks.get(b), section));
    }
    return pieces;
  }
}
