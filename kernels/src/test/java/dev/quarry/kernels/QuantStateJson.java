package dev.quarry.kernels;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The quant_state JSON that bitsandbytes packs ({@code bnb-exact.md} §7), built from the case's
 * parameters, to hold the reference metadata to the documented form (spark-job writes it).
 */
final class QuantStateJson {
  private QuantStateJson() {
  }

  static String plain(ReferenceCase c) {
    return "{" + common(c) + "}";
  }

  /** {@code offsetText}: the float32 offset as Python's {@code repr} of the double prints it. */
  static String doubleQuant(ReferenceCase c, String offsetText) {
    return "{" + common(c) + ", \"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": " + offsetText + "}";
  }

  private static String common(ReferenceCase c) {
    String shape = Arrays.stream(c.inputTensor().shape()).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    return "\"quant_type\": \"" + c.format().quantType() + "\", \"blocksize\": " + c.blocksize()
        + ", \"dtype\": \"" + c.type().torchName() + "\", \"shape\": " + shape;
  }
}
