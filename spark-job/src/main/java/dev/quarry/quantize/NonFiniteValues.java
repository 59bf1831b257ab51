package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import java.nio.ByteBuffer;

/**
 * Rejects NaN and ±inf (naming the element) before any kernel sees them: the GPU would silently
 * turn them into garbage codes.
 */
public final class NonFiniteValues {
  private NonFiniteValues() {}

  /**
   * Checks the little-endian elements of {@code buffer} from 0 to its limit; {@code firstElement} is
   * the index in the tensor of element 0, for the message.
   */
  public static void check(ByteBuffer buffer, ElementType type, String file, String tensor, long firstElement)
      throws NonFiniteValueException {
    int n = buffer.limit() / type.byteSize();
    for (int i = 0; i < n; i++) {
      String kind = nonFiniteKind(buffer, type, i);
      if (kind != null) {
        throw new NonFiniteValueException(file, tensor, kind + " at element " + (firstElement + i));
      }
    }
  }

  /** "NaN", "+inf" or "-inf" when element i has an all-ones exponent, else null. */
  private static String nonFiniteKind(ByteBuffer buffer, ElementType type, int i) {
    int bits;
    int exponent;
    int mantissa;
    switch (type) {
      case F32:
        bits = buffer.getInt(i * 4);
        exponent = 0x7f800000;
        mantissa = 0x007fffff;
        break;
      case BF16:
        bits = buffer.getShort(i * 2) << 16;
        exponent = 0x7f800000;
        mantissa = 0x007f0000;
        break;
      case F16:
        bits = buffer.getShort(i * 2) << 16;
        exponent = 0x7c000000;
        mantissa = 0x03ff0000;
        break;
      default:
        throw new AssertionError(type);
    }
    if ((bits & exponent) != exponent) {
      return null;
    }
    return (bits & mantissa) != 0 ? "NaN" : bits < 0 ? "-inf" : "+inf";
  }
}
