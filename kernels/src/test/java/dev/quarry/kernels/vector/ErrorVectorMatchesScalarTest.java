package dev.quarry.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.GroupSquares;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests of the error kernels: the vector implementation gives the scalar reference's
 * group sums and max bit for bit, for seeded adversarial inputs (specials, subnormals, huge values)
 * at odd offsets, with codes and scales that are sometimes NaN, inf, zero or subnormal, groups of
 * every blocksize and of odd lengths, and a short last group. Each failure names its seed; rerun
 * one with {@code -Dquarry.test.seed=<seed>}.
 */
class ErrorVectorMatchesScalarTest {
  private static final int[] BLOCKSIZES = {32, 64, 128, 256, 512, 1024, 2048, 4096};
  private static final KernelSupport SCALAR = Kernels.scalar();
  private static final KernelSupport VECTOR = VectorKernelSupport.create(true);

  @ParameterizedTest(name = "seed {0} {1}")
  @MethodSource("dev.quarry.kernels.vector.VectorMatchesScalarTest#typedCases")
  void fourBitErrorMatchesScalar(long seed, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (FourBitFormat format : FourBitFormat.values()) {
      for (int blocksize : BLOCKSIZES) {
        int blocks = 1 + inputs.nextInt(Math.max(2, 16384 / blocksize));
        int n = blocks * blocksize - (inputs.nextInt(2) == 0 ? 0 : 1 + inputs.nextInt(blocksize - 1));
        int pad = inputs.nextInt(5);
        byte[] x = elementBytes(type, inputs.floats(n, blocksize, format), pad);
        byte[] packed = bytes(inputs, pad + (n + 1) / 2);
        float[] absmax = scales(inputs, pad + blocks);
        // groups of one block, of a few, and of 4096 elements (as the manifest's meter uses them)
        for (int group : new int[] {blocksize, blocksize * (1 + inputs.nextInt(5)), Math.max(blocksize, 4096)}) {
          assertSameSquares(k -> (out) -> k.fourBitError(format, type, x, pad, n, blocksize, group, packed, pad, absmax,
              pad, out), "seed " + seed + ", " + format + ", " + type + ", blocksize " + blocksize + ", group " + group
              + ", n " + n);
        }
      }
    }
  }

  @ParameterizedTest(name = "seed {0} {1}")
  @MethodSource("dev.quarry.kernels.vector.VectorMatchesScalarTest#typedCases")
  void int8RowsErrorMatchesScalar(long seed, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (int round = 0; round < 40; round++) {
      int rows = 1 + inputs.nextInt(8);
      int cols = 1 + inputs.nextInt(round % 2 == 0 ? 40 : 5000);
      int pad = inputs.nextInt(3);
      byte[] x = elementBytes(type, inputs.floats(rows * cols, cols, FourBitFormat.NF4), pad);
      byte[] q = bytes(inputs, pad + rows * cols);
      float[] scb = scales(inputs, pad + rows);
      assertSameSquares(k -> (out) -> k.int8RowsError(type, x, pad, rows, cols, q, pad, scb, pad, out),
          "seed " + seed + ", " + type + ", " + rows + "x" + cols);
    }
  }

  @ParameterizedTest(name = "seed {0} {1}")
  @MethodSource("dev.quarry.kernels.vector.VectorMatchesScalarTest#typedCases")
  void castErrorMatchesScalar(long seed, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (int group : new int[] {1, 15, 16, 17, 4096, 1 + inputs.nextInt(5000)}) {
      int n = 1 + inputs.nextInt(3 * group + 40);
      int pad = inputs.nextInt(3);
      float[] values = inputs.floats(n, group, FourBitFormat.NF4);
      byte[] x = elementBytes(type, values, pad);
      ByteBuffer f16 = ByteBuffer.allocate(pad + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        // mostly the float16 nearest the input (a small error), sometimes any pattern
        f16.putShort(pad + 2 * i, inputs.nextInt(8) == 0 ? (short) inputs.nextInt(1 << 16)
            : AdversarialInputs.f16Bits(values[i]));
      }
      assertSameSquares(k -> (out) -> k.castError(type, x, pad, n, f16.array(), pad, group, out),
          "seed " + seed + ", " + type + ", group " + group + ", n " + n);
    }
  }

  @Test
  void everyFloat16PatternWidensAsFloat16ToFloat() {
    int[] patterns = new int[IntVector.SPECIES_256.length()];
    for (int h = 0; h < 1 << 16; h += patterns.length) {
      for (int j = 0; j < patterns.length; j++) {
        patterns[j] = h + j;
      }
      float[] widened = HalfPairs.float16(IntVector.fromArray(IntVector.SPECIES_256, patterns, 0)).toArray();
      for (int j = 0; j < patterns.length; j++) {
        int expected = Float.floatToRawIntBits(Float16.toFloat((short) patterns[j]));
        assertEquals(Integer.toHexString(expected), Integer.toHexString(Float.floatToRawIntBits(widened[j])),
            "float16 " + Integer.toHexString(patterns[j]));
      }
    }
  }

  private static void assertSameSquares(java.util.function.Function<KernelSupport, Consumer<GroupSquares>> call,
      String where) {
    GroupSquares expected = new GroupSquares();
    GroupSquares actual = new GroupSquares();
    call.apply(SCALAR).accept(expected);
    call.apply(VECTOR).accept(actual);
    assertEquals(expected.groups(), actual.groups(), where);
    for (int g = 0; g < expected.groups(); g++) {
      int group = g;
      assertEquals(bits(expected.squaredErrors(g)), bits(actual.squaredErrors(g)), () -> where + ", errors of group " + group);
      assertEquals(bits(expected.squaredValues(g)), bits(actual.squaredValues(g)), () -> where + ", values of group " + group);
    }
    assertEquals(bits(expected.maxAbsError()), bits(actual.maxAbsError()), where + ", max");
  }

  private static String bits(double d) {
    return d + " (" + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
  }

  /** The input as little-endian element bytes from byte {@code pad} (any offset: vectors load unaligned). */
  private static byte[] elementBytes(ElementType type, float[] x, int pad) {
    ByteBuffer b = ByteBuffer.allocate(pad + type.byteSize() * x.length).order(ByteOrder.LITTLE_ENDIAN);
    b.position(pad);
    for (float v : x) {
      switch (type) {
        case BF16 -> b.putShort(AdversarialInputs.bf16(v));
        case F16 -> b.putShort(AdversarialInputs.f16Bits(v));
        case F32 -> b.putFloat(v);
      }
    }
    return b.array();
  }

  private static byte[] bytes(AdversarialInputs inputs, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) inputs.nextInt(256);
    }
    return b;
  }

  /** Scales (absmax, SCB): mostly positive over many magnitudes, sometimes zero, subnormal, inf or NaN. */
  private static float[] scales(AdversarialInputs inputs, int n) {
    float[] s = inputs.floats(n, 1 + inputs.nextInt(4), FourBitFormat.NF4);
    for (int i = 0; i < n; i++) {
      s[i] = Math.abs(s[i]);
    }
    return s;
  }
}
