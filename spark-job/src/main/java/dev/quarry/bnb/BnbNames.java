package dev.quarry.bnb;

import java.util.List;

/**
 * The tensor names of a bitsandbytes checkpoint, as {@code save_pretrained} writes them
 * ({@code docs/checkpoint-format.md}): a 4-bit weight {@code W} comes with {@code W.absmax},
 * {@code W.quant_map}, {@code W.nested_absmax}, {@code W.nested_quant_map} (double quantization) and
 * {@code W.quant_state.bitsandbytes__<nf4|fp4>}; an int8 weight {@code M.weight} with {@code M.SCB}
 * and {@code M.weight_format}. Used both to write such names and to recognise them when reading.
 */
public final class BnbNames {
  /** What a 4-bit weight's quant_state tensor name holds after the weight's name. */
  public static final String QUANT_STATE = ".quant_state.bitsandbytes__";
  private static final String WEIGHT = ".weight";

  private BnbNames() {}

  public static String quantState(String weight, String quantType) {
    return weight + QUANT_STATE + quantType;
  }

  public static String absmax(String weight) {
    return weight + ".absmax";
  }

  public static String quantMap(String weight) {
    return weight + ".quant_map";
  }

  public static String nestedAbsmax(String weight) {
    return weight + ".nested_absmax";
  }

  public static String nestedQuantMap(String weight) {
    return weight + ".nested_quant_map";
  }

  /**
   * The module of a weight: {@code M} of {@code M.weight}; a tensor otherwise named (quantized with
   * {@code --all-tensors}) is its own module, so its int8 constants are {@code <name>.SCB}.
   */
  public static String module(String weight) {
    return weight.endsWith(WEIGHT) ? weight.substring(0, weight.length() - WEIGHT.length()) : weight;
  }

  /** int8: the float32 scale of each row, one per module ({@code Linear8bitLt}'s {@code SCB}). */
  public static String scb(String module) {
    return module + ".SCB";
  }

  /** int8: the uint8 scalar layout tag {@code Linear8bitLt} saves beside its weight (0: row-major). */
  public static String weightFormat(String module) {
    return module + ".weight_format";
  }

  /** The weight a 4-bit quant_state tensor belongs to, or null when {@code name} is no quant_state tensor. */
  public static String fourBitWeightOf(String name) {
    int at = name.indexOf(QUANT_STATE);
    return at > 0 ? name.substring(0, at) : null;
  }

  /** The quantized weight's companion tensors, which a reader consumes with it (those absent are not needed). */
  public static List<String> fourBitCompanions(String weight) {
    return List.of(absmax(weight), quantMap(weight), nestedAbsmax(weight), nestedQuantMap(weight));
  }
}
