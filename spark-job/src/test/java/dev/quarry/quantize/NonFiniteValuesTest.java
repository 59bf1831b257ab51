package dev.quarry.quantize;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quarry.kernels.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NaN/inf check against an independent decoding of each element, on buffers of every length
 * up to a few words with one special value at every position, among finite values of every
 * exponent (the largest finite ones included, which differ from inf by one exponent bit).
 */
class NonFiniteValuesTest {
  @ParameterizedTest
  @EnumSource(ElementType.class)
  void findsTheFirstNonFiniteElementAtEveryPosition(ElementType type) {
    SplittableRandom random = new SplittableRandom(type.ordinal());
    for (int n = 1; n <= 21; n++) {
      for (int at = -1; at < n; at++) {
        for (String kind : new String[] {"NaN", "+inf", "-inf"}) {
          ByteBuffer b = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i < n; i++) {
            put(b, type, i, i == at ? special(type, kind, random) : finite(type, random));
          }
          if (at < 0) {
            assertDoesNotThrow(() -> NonFiniteValues.check(b, type, "f", "t", 100));
          } else {
            InvalidTensorValueException e = assertThrows(InvalidTensorValueException.class,
                () -> NonFiniteValues.check(b, type, "f", "t", 100));
            assertEquals(kind + " at element " + (100 + at), e.problem(), type + " n=" + n);
          }
          if (at < 0) {
            break;
          }
        }
      }
    }
  }

  /** A random finite bit pattern: any sign, mantissa and exponent below the all-ones one. */
  private static int finite(ElementType type, SplittableRandom random) {
    int bits;
    do {
      bits = type == ElementType.F32 ? random.nextInt() : random.nextInt(1 << 16);
    } while (!isFinite(type, bits));
    return bits;
  }

  /** A NaN or infinity built from its fields (a random payload for NaN), judged by the decoding below. */
  private static int special(ElementType type, String kind, SplittableRandom random) {
    int mantissaBits = type == ElementType.F32 ? 23 : type == ElementType.BF16 ? 7 : 10;
    int exponentBits = type == ElementType.F32 ? 8 : type == ElementType.BF16 ? 8 : 5;
    int mantissa = kind.equals("NaN") ? 1 + random.nextInt((1 << mantissaBits) - 1) : 0;
    int sign = kind.equals("-inf") || (kind.equals("NaN") && random.nextBoolean()) ? 1 : 0;
    int bits = (sign << (exponentBits + mantissaBits)) | (((1 << exponentBits) - 1) << mantissaBits) | mantissa;
    assertEquals(kind, isFinite(type, bits) ? "finite" : kind(type, bits));
    return bits;
  }

  /** Independent decoding: float32 and bfloat16 through Java's float, float16 by its exponent field. */
  private static boolean isFinite(ElementType type, int bits) {
    switch (type) {
      case F32:
        return Float.isFinite(Float.intBitsToFloat(bits));
      case BF16:
        return Float.isFinite(Float.intBitsToFloat(bits << 16));
      default:
        return ((bits >> 10) & 0x1f) != 0x1f;
    }
  }

  private static String kind(ElementType type, int bits) {
    boolean negative = type == ElementType.F32 ? bits < 0 : (bits & 0x8000) != 0;
    boolean nan = switch (type) {
      case F32 -> Float.isNaN(Float.intBitsToFloat(bits));
      case BF16 -> Float.isNaN(Float.intBitsToFloat(bits << 16));
      default -> (bits & 0x3ff) != 0;
    };
    return nan ? "NaN" : negative ? "-inf" : "+inf";
  }

  private static void put(ByteBuffer b, ElementType type, int i, int bits) {
    if (type == ElementType.F32) {
      b.putInt(i * 4, bits);
    } else {
      b.putShort(i * 2, (short) bits);
    }
  }
}
