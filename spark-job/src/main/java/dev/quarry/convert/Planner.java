package dev.quarry.convert;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quality.ErrorMeter;
import dev.quarry.quantize.ModuleSelector;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.TensorEntry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans a conversion on the driver from the shard headers alone: each tensor's action (module
 * selection as transformers does it, plus the user's rules) and its cut into {@link BlockTask}s of
 * about {@code blockBytes} of input. A block is a whole number of alignment units: groups of
 * {@link ErrorMeter#GROUP} elements (4-bit, a whole number of quantization blocks, and casts: the
 * error statistics sum squares per group, so that they do not depend on the cut), 256 quantization
 * blocks under double quantization (so the nested blocks of the absmax never straddle two tasks),
 * whole rows (int8, and transposed tensors, whose rows are read column-wise). Chunks in memory
 * align to the same units.
 */
public final class Planner {
  private Planner() {}

  public static ConversionPlan plan(InputModel model, ConvertOptions o) throws CheckpointException {
    ModuleSelector selector = new ModuleSelector(false, o.rules().withModelType(model.modelType()));
    List<TensorPlan> tensors = new ArrayList<>();
    List<BlockTask> blocks = new ArrayList<>();
    for (InputShard shard : model.shards()) {
      for (TensorEntry t : shard.tensors()) {
        selector.checkDtype(shard.path(), t, o.mode());
        boolean selected = selector.quantizes(t);
        TensorAction action = !selected ? TensorAction.COPY
            : o.mode() == QuantMode.INT8_TRAINING ? TensorAction.CAST : TensorAction.QUANTIZE;
        boolean transposed = selected && selector.transposes(t);
        List<Long> shape = transposed ? List.of(t.shape().get(1), t.shape().get(0)) : t.shape();
        int first = blocks.size();
        if (action != TensorAction.COPY) {
          cut(tensors.size(), shard, t, action, transposed, o, blocks);
        }
        tensors.add(new TensorPlan(tensors.size(), shard, t, action, transposed, shape, first, blocks.size() - first));
      }
    }
    return new ConversionPlan(tensors, blocks);
  }

  private static void cut(int tensorId, InputShard shard, TensorEntry t, TensorAction action, boolean transposed,
      ConvertOptions o, List<BlockTask> out) {
    ElementType type = ElementType.fromSafetensorsName(t.dtype().name());
    long n = t.elementCount();
    long cols = t.rank() == 0 ? 1 : t.shape().get(t.rank() - 1);
    long rows = n / cols;
    long rowLength = transposed ? rows : cols;
    // 4-bit and cast tensors: whole groups of the error statistics (GROUP is a multiple of every blocksize)
    long unit = action == TensorAction.CAST || o.mode().isFourBit() ? ErrorMeter.GROUP : rowLength;
    long chunkAlign = transposed ? lcm(unit, rowLength) : unit;
    long blockAlign = o.mode().doubleQuant() && action == TensorAction.QUANTIZE
        ? lcm(chunkAlign, (long) o.blocksize() * NestedAbsmaxQuantizer.NESTED_BLOCKSIZE) : chunkAlign;
    long target = o.blockBytes() / type.byteSize();
    long blockElements = Math.max(blockAlign, target / blockAlign * blockAlign);
    for (long first = 0; first < n; first += blockElements) {
      out.add(new BlockTask(out.size(), tensorId, shard.path(), t.name(), type, shard.dataStart() + t.begin(),
          rows, cols, transposed, first, Math.min(blockElements, n - first), chunkAlign, action, o.mode(),
          o.blocksize()));
    }
  }

  private static long lcm(long a, long b) {
    return a / BigInteger.valueOf(a).gcd(BigInteger.valueOf(b)).longValueExact() * b;
  }
}
