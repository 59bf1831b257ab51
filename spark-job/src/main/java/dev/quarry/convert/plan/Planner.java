package dev.quarry.convert.plan;

import dev.quarry.convert.read.Fp8Scales;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.InputShard;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quality.ErrorMeter;
import dev.quarry.quantize.ModuleSelector;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.TensorEntry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans a conversion on the driver from the shard headers alone: each tensor's action (module
 * selection as transformers does it, plus the user's rules) and its cut into {@link BlockTask}s of
 * about {@code blockBytes} of input. A block is a whole number of alignment units: groups of
 * {@link ErrorMeter#GROUP} elements (4-bit, a whole number of quantization blocks, and casts: the
 * error statistics sum squares per group, so that they do not depend on the cut), 256 quantization
 * blocks under double quantization (so the nested blocks of the absmax never straddle two tasks),
 * whole rows (int8, and transposed tensors, whose rows are read column-wise). Chunks in memory
 * align to the same units. A run that converts the input to several modes in one read cuts each
 * mode's blocks to suit all of them (the least common multiple of their units): every mode then
 * has the same blocks, chunks and block ids, and its bytes are those of a run of its own, which do not
 * depend on the cut.
 */
public final class Planner {
  private Planner() {}

  public static ConversionPlan plan(InputModel model, ConvertOptions o) throws CheckpointException {
    return plan(model, o, List.of(o.mode()), false, true);
  }

  /** @param runModes every mode the run converts the input to in one read ({@code o}'s among them) */
  public static ConversionPlan plan(InputModel model, ConvertOptions o, List<QuantMode> runModes)
      throws CheckpointException {
    return plan(model, o, runModes, false, true);
  }

  /**
   * @param runModes      every mode the run converts the input to in one read ({@code o}'s among them)
   * @param allTensors    quantize every floating-point tensor of any rank ({@code quarry quantize --all-tensors})
   * @param measureErrors measure each block's quantization error (for the manifest)
   */
  public static ConversionPlan plan(InputModel model, ConvertOptions o, List<QuantMode> runModes, boolean allTensors,
      boolean measureErrors) throws CheckpointException {
    ModuleSelector selector = new ModuleSelector(allTensors, o.rules().withModelType(model.modelType()));
    List<TensorPlan> tensors = new ArrayList<>();
    List<BlockTask> blocks = new ArrayList<>();
    for (InputShard shard : model.shards()) {
      for (TensorEntry stored : shard.tensors()) {
        Fp8Scales fp8 = model.fp8Scales().get(stored.name());
        TensorEntry t = fp8 == null ? stored : Fp8Scales.decoded(stored);
        selector.checkDtype(shard.path(), t, o.mode());
        boolean selected = selector.quantizes(t);
        TensorAction action = !selected ? TensorAction.COPY
            : o.mode() == QuantMode.INT8_TRAINING ? TensorAction.CAST : TensorAction.QUANTIZE;
        // A column-major tensor (a PyTorch pickle's) lies in the file as its transpose: reading it
        // transposed gives the tensor itself, so the flag flips whether the bytes are read transposed.
        boolean transposed = (selected && selector.transposes(t)) != t.columnMajor();
        List<Long> storedShape = t.storedShape();
        List<Long> shape = transposed ? List.of(storedShape.get(1), storedShape.get(0)) : storedShape;
        if (t.columnMajor()) {
          refuseCopy(shard, t, action, o, "stored column-major (a transposed view)",
              "which needs a row-major tensor: save it with .contiguous()");
        }
        if (fp8 != null) {
          refuseCopy(shard, t, action, o, "a block-FP8 weight", "which would copy its F8_E4M3 codes without their "
              + "scales: quarry dequantizes block-FP8 weights only into quantized ones");
          if (transposed) {
            throw new CheckpointException(shard.path(), t.name(), "a block-FP8 weight of a Conv1D layer, which is "
                + "quantized transposed: quarry reads block-FP8 weights row by row only");
          }
        }
        if (action == TensorAction.QUANTIZE && o.mode().isFourBit() && !o.quantStorage().holds(t.elementCount())) {
          throw new CheckpointException(shard.path(), t.name(), o.quantStorage().refusal(t.elementCount()));
        }
        int first = blocks.size();
        if (action != TensorAction.COPY) {
          cut(tensors.size(), shard, t, storedShape, action, transposed, fp8, o, runModes, measureErrors, blocks);
        }
        tensors.add(new TensorPlan(tensors.size(), shard, t, action, transposed, shape, first, blocks.size() - first));
      }
    }
    return new ConversionPlan(tensors, blocks);
  }

  /**
   * A copied tensor's bytes go to the output as they are, which for some tensors ({@code what}) would
   * be wrong: refused, also under --allow-non-finite (which copies a weight found to hold NaN).
   */
  private static void refuseCopy(InputShard shard, TensorEntry t, TensorAction action, ConvertOptions o, String what,
      String need) throws CheckpointException {
    String why = action == TensorAction.COPY ? "it is not quantized but copied"
        : o.allowNonFinite() ? "--allow-non-finite would copy it unquantized if it held NaN or inf" : null;
    if (why != null) {
      throw new CheckpointException(shard.path(), t.name(), what + " and " + why + ", " + need);
    }
  }

  /**
   * @param stored the tensor's shape as its bytes lie in the file, row-major
   * @param fp8    the scales of a block-FP8 weight (whose type is then the bfloat16 it is dequantized to), or null
   */
  private static void cut(int tensorId, InputShard shard, TensorEntry t, List<Long> stored, TensorAction action,
      boolean transposed, Fp8Scales fp8, ConvertOptions o, List<QuantMode> runModes, boolean measureErrors,
      List<BlockTask> out) {
    ElementType type = ElementType.fromSafetensorsName(t.dtype().name());
    long n = t.elementCount();
    long cols = t.rank() == 0 ? 1 : stored.get(t.rank() - 1);
    long rows = n / cols;
    long rowLength = transposed ? rows : cols;
    long chunkAlign = 1;
    long blockAlign = 1;
    for (QuantMode mode : modesOf(o, runModes)) {
      // 4-bit and cast tensors: whole groups of the error statistics (GROUP is a multiple of every blocksize)
      long unit = mode == QuantMode.INT8_TRAINING || mode.isFourBit() ? ErrorMeter.GROUP : rowLength;
      long modeChunk = transposed ? lcm(unit, rowLength) : unit;
      chunkAlign = lcm(chunkAlign, modeChunk);
      blockAlign = lcm(blockAlign, mode.doubleQuant()
          ? lcm(modeChunk, (long) o.blocksize() * NestedAbsmaxQuantizer.NESTED_BLOCKSIZE) : modeChunk);
    }
    blockAlign = lcm(blockAlign, chunkAlign);
    long target = o.blockBytes() / type.byteSize();
    long blockElements = Math.max(blockAlign, target / blockAlign * blockAlign);
    for (long first = 0; first < n; first += blockElements) {
      out.add(new BlockTask(out.size(), tensorId, shard.path(), t.name(), type, shard.dataStart() + t.begin(),
          rows, cols, transposed, first, Math.min(blockElements, n - first), chunkAlign, action, o.mode(),
          o.blocksize(), fp8, measureErrors));
    }
  }

  /** {@code o}'s mode and the run's others, once each. */
  private static Set<QuantMode> modesOf(ConvertOptions o, List<QuantMode> runModes) {
    Set<QuantMode> modes = new LinkedHashSet<>(runModes);
    modes.add(o.mode());
    return modes;
  }

  private static long lcm(long a, long b) {
    return a / BigInteger.valueOf(a).gcd(BigInteger.valueOf(b)).longValueExact() * b;
  }
}
