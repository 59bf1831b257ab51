package dev.quarry.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.Float16;
import dev.quarry.kernels.Float16OverflowException;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests: the vector kernels give the scalar reference's bytes for seeded adversarial
 * input. Each failure names its seed; rerun one with {@code -Dquarry.test.seed=<seed>}.
 */
class VectorMatchesScalarTest {
  private static final int[] BLOCKSIZES = {32, 64, 128, 256, 512, 1024, 2048, 4096};
  private static final KernelSupport SCALAR = Kernels.scalar();
  private static final KernelSupport VECTOR = VectorKernelSupport.create(true);
  /**
   * The vector kernels with each of NF4's two searches of bfloat16 cuts, by blends and by lane
   * permute: a host runs the one {@link LanePermute} picks, and both must give the reference's
   * bytes on every host.
   */
  private static final Map<String, KernelSupport> BY_NF4_SEARCH =
      Map.of("blends", new VectorKernelSupport(false), "lane permute", new VectorKernelSupport(true));

  static LongStream seeds() {
    String fixed = System.getProperty("quarry.test.seed");
    if (fixed != null) {
      return LongStream.of(Long.parseLong(fixed));
    }
    return LongStream.concat(LongStream.rangeClosed(1, 12), LongStream.of(System.nanoTime()));
  }

  static Stream<Arguments> fourBitCases() {
    return seeds().boxed().flatMap(seed -> Stream.of(FourBitFormat.values()).flatMap(format ->
        Stream.of(ElementType.values()).map(type -> Arguments.of(seed, format, type))));
  }

  static Stream<Arguments> typedCases() {
    return seeds().boxed().flatMap(seed -> Stream.of(ElementType.values()).map(type -> Arguments.of(seed, type)));
  }

  @ParameterizedTest(name = "seed {0} {1} {2}")
  @MethodSource("fourBitCases")
  void quantize4BitMatchesScalar(long seed, FourBitFormat format, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (int blocksize : BLOCKSIZES) {
      int blocks = blockCount(inputs, blocksize);
      int n = elementCount(inputs, blocks, blocksize);
      float[] x = inputs.floats(n, blocksize, format);
      int pad = inputs.nextInt(5);
      String where = "seed " + seed + ", " + format + ", " + type + ", blocksize " + blocksize + ", n " + n;
      Object in = input(type, x, pad);
      assertSameCodesAndScales((k, packed, absmax) -> kernelFourBit(k, format, type, in, pad, n, blocksize, packed, absmax),
          pad + (n + 1) / 2, pad + blocks, where);
    }
  }

  /**
   * The scan of double quantization computes the absmax without the codes; it must be the absmax
   * the quantizer writes (the offset it fixes is checked against the quantizing pass), on the
   * scalar reference and the vector kernels alike.
   */
  @ParameterizedTest(name = "seed {0} {1} {2}")
  @MethodSource("fourBitCases")
  void absmaxScanIsTheQuantizersAbsmax(long seed, FourBitFormat format, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (int blocksize : BLOCKSIZES) {
      int blocks = blockCount(inputs, blocksize);
      int n = elementCount(inputs, blocks, blocksize);
      Object in = input(type, inputs.floats(n, blocksize, format), 0);
      float[] quantized = new float[blocks];
      kernelFourBit(SCALAR, format, type, in, 0, n, blocksize, new byte[(n + 1) / 2], quantized);
      for (KernelSupport k : new KernelSupport[] {SCALAR, VECTOR}) {
        float[] scanned = new float[blocks];
        boolean nonFinite = in instanceof float[] f ? k.absmax4Bit(f, 0, n, blocksize, scanned, 0)
            : k.absmax4Bit(type, (short[]) in, 0, n, blocksize, scanned, 0);
        String where = k.name() + ": seed " + seed + ", " + format + ", " + type + ", blocksize " + blocksize + ", n " + n;
        assertArrayEquals(quantized, scanned, where);
        assertEquals(anyNonFinite(type, in), nonFinite, "NaN or inf found, " + where);
      }
    }
  }

  @ParameterizedTest(name = "seed {0} {1}")
  @MethodSource("typedCases")
  void quantizeInt8RowsMatchesScalar(long seed, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (int round = 0; round < 40; round++) {
      int rows = 1 + inputs.nextInt(8);
      int cols = 1 + inputs.nextInt(round % 2 == 0 ? 40 : 700);
      float[] x = inputs.floats(rows * cols, cols, FourBitFormat.NF4);
      if (round % 3 != 0) {
        dropOverflows(x);
      }
      int pad = inputs.nextInt(3);
      String where = "seed " + seed + ", " + type + ", " + rows + "x" + cols + ", round " + round;
      Object in = input(type, x, pad);
      assertSameCodesAndScales((k, q, scb) -> kernelInt8(k, type, in, pad, rows, cols, q, scb),
          pad + rows * cols, pad + rows, where);
    }
  }

  @ParameterizedTest(name = "seed {0} {1}")
  @MethodSource("typedCases")
  void castToFloat16MatchesScalar(long seed, ElementType type) {
    AdversarialInputs inputs = new AdversarialInputs(seed);
    for (int round = 0; round < 20; round++) {
      int n = 1 + inputs.nextInt(3000);
      float[] x = inputs.floats(n, 1 + inputs.nextInt(100), FourBitFormat.FP4);
      if (round % 4 != 0) {
        dropOverflows(x);
      }
      Object in = input(type, x, 1);
      short[] expected = new short[n + 2];
      short[] actual = new short[n + 2];
      String where = "seed " + seed + ", " + type + ", n " + n + ", round " + round;
      if (bothOverflowAlike(() -> cast(SCALAR, type, in, n, expected), () -> cast(VECTOR, type, in, n, actual), where)) {
        continue;
      }
      cast(VECTOR, type, in, n, actual);
      assertArrayEquals(expected, actual, where);
    }
  }

  /**
   * bfloat16 FP4 blocks whose absmax moves the sign cut above the flush-to-zero boundary (absmax
   * of 1 and more): negative inputs one bfloat16 step around the sign cut, at every exponent and
   * a spread of mantissas, so each side of the cut is hit exactly.
   */
  @Test
  void fp4SignCutOfLargeBf16AbsmaxMatchesScalar() {
    int blocksize = 64;
    for (int exponent = 120; exponent < 254; exponent++) {
      short[] x = new short[blocksize * 16];
      for (int b = 0; b < 16; b++) {
        int absmax = exponent << 7 | (b * 8 + 5);
        int signMagnitude = Bf16CutTable.signMagnitude(absmax);
        x[b * blocksize] = (short) absmax;
        for (int i = 1; i < blocksize; i++) {
          int step = i % 5 - 2;
          x[b * blocksize + i] = (short) (0x8000 | Math.max(0, signMagnitude + step + (i / 5) % 3 * 40 - 40));
        }
      }
      String where = "absmax exponent " + exponent;
      assertSameCodesAndScales((k, packed, absmax) -> k.quantize4Bit(FourBitFormat.FP4, ElementType.BF16, x, 0, x.length,
          blocksize, packed, 0, absmax, 0), x.length / 2, x.length / blocksize, where);
    }
  }

  /** Sanity of the generator itself: the cases above would prove little if no block took the fast path. */
  @Test
  void mostGeneratedBf16BlocksTakeTheFastPath() {
    AdversarialInputs inputs = new AdversarialInputs(1);
    float[] x = inputs.floats(64 * 1000, 64, FourBitFormat.NF4);
    int fast = 0;
    for (int b = 0; b < 1000; b++) {
      short[] block = new short[64];
      for (int i = 0; i < 64; i++) {
        block[i] = AdversarialInputs.bf16(x[b * 64 + i]);
      }
      fast += HalfType.BF16.isFast(MaxMagnitude.of(block, 0, 64)) ? 1 : 0;
    }
    assertEquals(true, fast > 300 && fast < 900, "fast blocks: " + fast + " of 1000");
  }

  /** One kernel call writing codes and per-block (or per-row) scales. */
  private interface CodesAndScales {
    void run(KernelSupport kernels, byte[] codes, float[] scales);
  }

  /** The vector kernels (with each NF4 search) write the reference's codes and scales, or reject the same overflow. */
  private static void assertSameCodesAndScales(CodesAndScales call, int codes, int scales, String where) {
    for (Map.Entry<String, KernelSupport> bySearch : BY_NF4_SEARCH.entrySet()) {
      KernelSupport vector = bySearch.getValue();
      String search = where + ", nf4 search by " + bySearch.getKey();
      byte[] expectedCodes = new byte[codes];
      float[] expectedScales = new float[scales];
      byte[] actualCodes = new byte[codes];
      float[] actualScales = new float[scales];
      if (bothOverflowAlike(() -> call.run(SCALAR, expectedCodes, expectedScales),
          () -> call.run(vector, actualCodes, actualScales), search)) {
        continue;
      }
      call.run(vector, actualCodes, actualScales);
      assertArrayEquals(bits(expectedScales), bits(actualScales), "scales (absmax / SCB), " + search);
      assertArrayEquals(expectedCodes, actualCodes, "codes, " + search);
    }
  }

  /**
   * Runs the reference; when it rejects a float16 overflow the candidate must reject the same
   * element (index and value), and the result is true. False when the reference completed.
   */
  private static boolean bothOverflowAlike(Runnable reference, Executable candidate, String where) {
    try {
      reference.run();
      return false;
    } catch (Float16OverflowException expected) {
      Float16OverflowException actual = assertThrows(Float16OverflowException.class, candidate, where);
      assertEquals(expected.elementIndex(), actual.elementIndex(), "overflow index, " + where);
      assertEquals(Float.floatToRawIntBits(expected.value()), Float.floatToRawIntBits(actual.value()),
          "overflow value, " + where);
      return true;
    }
  }

  private static void dropOverflows(float[] x) {
    for (int i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) >= 65504f) {
        x[i] = Math.copySign(65504f, x[i]);
      }
    }
  }

  /** The input at offset {@code pad} in the element type's array form (bit patterns for 16-bit types). */
  /** How many 4-bit blocks a case has: 1 to 16384 elements' worth. */
  private static int blockCount(AdversarialInputs inputs, int blocksize) {
    return 1 + inputs.nextInt(Math.max(2, 16384 / blocksize));
  }

  /** The elements of {@code blocks} blocks: a short last block or an odd count in about half the cases. */
  private static int elementCount(AdversarialInputs inputs, int blocks, int blocksize) {
    return blocks * blocksize - (inputs.nextInt(2) == 0 ? 0 : 1 + inputs.nextInt(blocksize - 1));
  }

  /** Whether a value of the input, as the kernels read it, is NaN or ±inf. */
  private static boolean anyNonFinite(ElementType type, Object in) {
    if (in instanceof float[] f) {
      for (float v : f) {
        if (!Float.isFinite(v)) {
          return true;
        }
      }
      return false;
    }
    for (short bits : (short[]) in) {
      if (!Float.isFinite(Float16.widen(type, bits))) {
        return true;
      }
    }
    return false;
  }

  private static Object input(ElementType type, float[] x, int pad) {
    if (type == ElementType.F32) {
      float[] f = new float[pad + x.length];
      System.arraycopy(x, 0, f, pad, x.length);
      return f;
    }
    short[] s = new short[pad + x.length];
    for (int i = 0; i < x.length; i++) {
      s[pad + i] = type == ElementType.BF16 ? AdversarialInputs.bf16(x[i]) : AdversarialInputs.f16Bits(x[i]);
    }
    return s;
  }

  private static void kernelFourBit(KernelSupport k, FourBitFormat format, ElementType type, Object x, int pad,
      int n, int blocksize, byte[] packed, float[] absmax) {
    if (x instanceof float[]) {
      k.quantize4Bit(format, (float[]) x, pad, n, blocksize, packed, pad, absmax, pad);
    } else {
      k.quantize4Bit(format, type, (short[]) x, pad, n, blocksize, packed, pad, absmax, pad);
    }
  }

  private static void kernelInt8(KernelSupport k, ElementType type, Object x, int pad, int rows, int cols,
      byte[] q, float[] scb) {
    if (x instanceof float[]) {
      k.quantizeInt8Rows((float[]) x, pad, rows, cols, q, pad, scb, pad);
    } else {
      k.quantizeInt8Rows(type, (short[]) x, pad, rows, cols, q, pad, scb, pad);
    }
  }

  private static void cast(KernelSupport k, ElementType type, Object x, int n, short[] out) {
    if (x instanceof float[]) {
      k.castToFloat16((float[]) x, 1, n, out, 2);
    } else {
      k.castToFloat16(type, (short[]) x, 1, n, out, 2);
    }
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
