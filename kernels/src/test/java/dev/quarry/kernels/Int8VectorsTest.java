package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every int8 case of the reference vectors ({@code bnb-exact.md} §4), byte for byte. */
class Int8VectorsTest {

  static List<String> int8Cases() {
    return ReferenceVectors.get().int8Cases();
  }

  @ParameterizedTest
  @MethodSource("int8Cases")
  void codesAndRowAbsmaxEqualTheGpu(String input) {
    SafetensorsTestFile.Tensor in = ReferenceVectors.get().tensor("in/" + input);
    int cols = Math.toIntExact(in.shape()[in.shape().length - 1]);
    long rows = in.elementCount() / cols;
    ByteBuffer q = ByteBuffer.allocate(Math.toIntExact(in.elementCount()));
    ByteBuffer scb = ByteBuffer.allocate(Math.toIntExact(rows * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    ElementType type = ElementType.fromSafetensorsName(in.dtype());
    long firstOverflow = firstFloat16Overflow(in, type);
    if (firstOverflow < 0) {
      new Int8Quantizer(new ScalarKernelSupport(), type, cols).quantizeRows(in.bytes(), rows, q, scb);
    } else {
      // quarry rejects what the GPU silently turns into inf; the GPU's arithmetic on the inf that
      // torch's cast produced is still checked, by feeding that float16 tensor.
      Float16OverflowException e = assertThrows(Float16OverflowException.class,
          () -> new Int8Quantizer(new ScalarKernelSupport(), type, cols).quantizeRows(in.bytes(), rows, q.duplicate(), scb.duplicate()));
      assertEquals(firstOverflow, e.elementIndex(), "index of the first element that overflows float16");
      new Int8Quantizer(new ScalarKernelSupport(), ElementType.F16, cols).quantizeRows(float16Cast(in, type), rows, q, scb);
    }
    assertEquals(0, q.remaining() + scb.remaining(), "outputs filled exactly");
    assertArrayEquals(ReferenceVectors.bytes(ReferenceVectors.get().tensor(input + "/int8/CB")), q.array(), input + "/int8/CB");
    assertArrayEquals(ReferenceVectors.bytes(ReferenceVectors.get().tensor(input + "/int8/SCB")), scb.array(), input + "/int8/SCB");
  }

  /** Index of the first finite element that rounds to ±inf in float16, or -1. */
  private static long firstFloat16Overflow(SafetensorsTestFile.Tensor in, ElementType type) {
    float[] values = widened(in, type);
    for (int i = 0; i < values.length; i++) {
      if (Float.isFinite(values[i]) && Float.isInfinite(Float16.toFloat(Float16.fromFloat(values[i])))) {
        return i;
      }
    }
    return -1;
  }

  private static float[] widened(SafetensorsTestFile.Tensor in, ElementType type) {
    if (type == ElementType.F32) {
      return ReferenceVectors.floats(in);
    }
    ByteBuffer bits = in.bytes();
    float[] values = new float[Math.toIntExact(in.elementCount())];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float16.widen(type, bits.getShort());
    }
    return values;
  }

  private static ByteBuffer float16Cast(SafetensorsTestFile.Tensor in, ElementType type) {
    float[] values = widened(in, type);
    ByteBuffer halves = ByteBuffer.allocate(values.length * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      halves.putShort(Float16.fromFloat(v));
    }
    return halves.flip();
  }

  @ParameterizedTest
  @MethodSource("int8Cases")
  void dequantizedValuesEqualTheGpu(String input) {
    SafetensorsTestFile.Tensor cb = ReferenceVectors.get().tensor(input + "/int8/CB");
    float[] scb = ReferenceVectors.floats(ReferenceVectors.get().tensor(input + "/int8/SCB"));
    byte[] q = ReferenceVectors.bytes(cb);
    int cols = q.length / scb.length;
    float[] values = new float[q.length];
    Dequantizer.int8Rows(q, 0, scb.length, cols, scb, 0, values, 0);
    FloatBits.assertBitsEqual(ReferenceVectors.floats(ReferenceVectors.get().tensor(input + "/int8/dequant")), values, input + "/int8/dequant");
  }
}
