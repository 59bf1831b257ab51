package dev.quarry.quantize;

import dev.quarry.kernels.ElementType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Rejects NaN and ±inf (naming the element) before any kernel sees them: the GPU would silently
 * turn them into garbage codes.
 */
public final class NonFiniteValues {
  private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private NonFiniteValues() {}

  /**
   * Checks the little-endian elements of {@code buffer} from 0 to its limit; {@code firstElement} is
   * the index in the tensor of element 0, for the message.
   */
  public static void check(ByteBuffer buffer, ElementType type, String file, String tensor, long firstElement)
      throws InvalidTensorValueException {
    int n = buffer.limit() / type.byteSize();
    int start = 0;
    if (buffer.hasArray()) {
      int scanned = finiteWordBytes(buffer.array(), buffer.arrayOffset(), buffer.limit(), type);
      start = scanned / type.byteSize();
    }
    for (int i = start; i < n; i++) {
      String kind = nonFiniteKind(buffer, type, i);
      if (kind != null) {
        throw new InvalidTensorValueException(file, tensor, kind + " at element " + (firstElement + i));
      }
    }
  }

  /**
   * This check runs over every input byte, so it reads 8 bytes at a time: the exponent bits of each
   * lane, XORed with the all-ones exponent, are zero exactly for NaN and ±inf, and the classic
   * "has a zero lane" test finds such a lane without branching per element. Returns how many bytes
   * from the start are known finite: {@code length} rounded down to whole words, or 0 when some
   * word holds a non-finite value (the caller then looks at every element, to name it).
   */
  private static int finiteWordBytes(byte[] a, int offset, int length, ElementType type) {
    long exponent;
    long laneOnes;
    switch (type) {
      case F32:
        exponent = 0x7f8000007f800000L;
        laneOnes = 0x0000000100000001L;
        break;
      case BF16:
        exponent = 0x7f807f807f807f80L;
        laneOnes = 0x0001000100010001L;
        break;
      case F16:
        exponent = 0x7c007c007c007c00L;
        laneOnes = 0x0001000100010001L;
        break;
      default:
        throw new AssertionError(type);
    }
    long laneTops = laneOnes << (type.byteSize() * 8 - 1);
    long zeroLanes = 0;
    int words = length / Long.BYTES * Long.BYTES;
    for (int i = 0; i < words; i += Long.BYTES) {
      long v = ((long) WORDS.get(a, offset + i) & exponent) ^ exponent;
      zeroLanes |= (v - laneOnes) & ~v & laneTops;
    }
    return zeroLanes == 0 ? words : 0;
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
