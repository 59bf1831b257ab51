package dev.quarry.bnb;

import dev.quarry.kernels.DynamicMap;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.LittleEndian;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.Dtype;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors a converted weight becomes, per mode, in the order of the quantized module's
 * state_dict ({@code docs/checkpoint-format.md}, {@code bnb-exact.md} §4, §5, §7): the one place
 * that says which tensors, of which dtype and shape, and the constant bytes among them. Computed
 * tensors are described here; the kernels fill them.
 */
public final class WeightFormat {
  private WeightFormat() {}

  /**
   * @param weight      the weight's name
   * @param torchDtype  the weight's dtype as torch names it ("bfloat16"), recorded in the quant_state
   * @param shape       the shape it is quantized as (a Conv1D weight's transpose)
   * @param offset      the double-quant offset, the mean of the absmax (ignored without double quantization)
   */
  public static List<FormatTensor> fourBit(String weight, QuantMode mode, int blocksize, QuantStorage storage,
      String torchDtype, List<Long> shape, float offset) {
    FourBitFormat format = mode.fourBitFormat();
    long n = shape.stream().reduce(1L, Math::multiplyExact);
    long absmaxCount = ceilDiv(n, blocksize);
    List<FormatTensor> out = new ArrayList<>();
    out.add(FormatTensor.computed(weight, storage.dtype(), storage.packedShape(n), FormatTensor.Content.CODES));
    byte[] state;
    if (mode.doubleQuant()) {
      long nestedCount = ceilDiv(absmaxCount, NestedAbsmaxQuantizer.NESTED_BLOCKSIZE);
      out.add(FormatTensor.computed(BnbNames.absmax(weight), Dtype.U8, List.of(absmaxCount), FormatTensor.Content.SCALES));
      out.add(codebook(BnbNames.quantMap(weight), format.codebook()));
      out.add(FormatTensor.computed(BnbNames.nestedAbsmax(weight), Dtype.F32, List.of(nestedCount),
          FormatTensor.Content.NESTED_SCALES));
      out.add(codebook(BnbNames.nestedQuantMap(weight), DynamicMap.values()));
      state = QuantStateJson.doubleQuant(format.quantType(), blocksize, torchDtype, shape, offset);
    } else {
      out.add(FormatTensor.computed(BnbNames.absmax(weight), Dtype.F32, List.of(absmaxCount), FormatTensor.Content.SCALES));
      out.add(codebook(BnbNames.quantMap(weight), format.codebook()));
      state = QuantStateJson.plain(format.quantType(), blocksize, torchDtype, shape);
    }
    out.add(FormatTensor.constant(BnbNames.quantState(weight, format.quantType()), Dtype.U8,
        List.of((long) state.length), state));
    return out;
  }

  /**
   * LLM.int8: the int8 weight (same name and shape), the float32 SCB of each row (rows are the last
   * dimension) and the uint8 scalar {@code weight_format} 0, as {@code Linear8bitLt} saves them.
   */
  public static List<FormatTensor> int8(String weight, List<Long> shape) {
    String module = BnbNames.module(weight);
    long n = shape.stream().reduce(1L, Math::multiplyExact);
    long rows = n / (shape.isEmpty() ? 1 : shape.get(shape.size() - 1));
    return List.of(
        FormatTensor.computed(weight, Dtype.I8, shape, FormatTensor.Content.CODES),
        FormatTensor.computed(BnbNames.scb(module), Dtype.F32, List.of(rows), FormatTensor.Content.SCALES),
        FormatTensor.constant(BnbNames.weightFormat(module), Dtype.U8, List.of(), new byte[] {0}));
  }

  /** int8-training ({@code has_fp16_weights=True}): the weight cast to float16, same name and shape. */
  public static List<FormatTensor> float16(String weight, List<Long> shape) {
    return List.of(FormatTensor.computed(weight, Dtype.F16, shape, FormatTensor.Content.CODES));
  }

  private static FormatTensor codebook(String name, float[] values) {
    return FormatTensor.constant(name, Dtype.F32, List.of((long) values.length), LittleEndian.floats(values));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
