package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ByteBuffer API over several internal chunks: positions, and error indices relative to the call. */
class ChunkedQuantizersTest {
  private static final int N = 3 * Float16Caster.CHUNK_ELEMENTS + 123;

  private static ByteBuffer floats(float[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer;
  }

  private static float[] randomValues(int n) {
    SplittableRandom random = new SplittableRandom(9);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian() * 100;
    }
    return values;
  }

  @Test
  void float16CasterWritesEveryElementAndAdvancesPositions() {
    float[] values = randomValues(N);
    ByteBuffer src = ByteBuffer.allocate(8 + values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    src.position(8);
    src.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
    ByteBuffer out = ByteBuffer.allocate(4 + N * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    out.position(4);
    new Float16Caster(new ScalarKernelSupport(), ElementType.F32).cast(src, N, out);
    assertEquals(src.capacity(), src.position());
    assertEquals(out.capacity(), out.position());
    for (int i = 0; i < N; i++) {
      assertEquals(Float16.fromFloat(values[i]), out.getShort(4 + 2 * i), "element " + i);
    }
  }

  @Test
  void overflowIndexIsRelativeToTheCallAcrossChunks() {
    float[] values = randomValues(N);
    int bad = 2 * Float16Caster.CHUNK_ELEMENTS + 77;
    values[bad] = 1e6f;
    Float16OverflowException cast = assertThrows(Float16OverflowException.class,
        () -> new Float16Caster(new ScalarKernelSupport(), ElementType.F32).cast(floats(values), N, ByteBuffer.allocate(2 * N)));
    assertEquals(bad, cast.elementIndex());
    int cols = 1000;
    int rows = N / cols;
    Float16OverflowException int8 = assertThrows(Float16OverflowException.class,
        () -> new Int8Quantizer(new ScalarKernelSupport(), ElementType.F32, cols)
            .quantizeRows(floats(values), rows, ByteBuffer.allocate(rows * cols), ByteBuffer.allocate(4 * rows)));
    assertEquals(bad, int8.elementIndex());
  }

  @Test
  void int8QuantizerInChunksEqualsOneKernelCall() {
    int cols = 4099; // rows do not divide the chunk evenly
    int rows = 40;
    float[] values = randomValues(rows * cols);
    byte[] expectedQ = new byte[rows * cols];
    float[] expectedScb = new float[rows];
    new ScalarKernelSupport().quantizeInt8Rows(values, 0, rows, cols, expectedQ, 0, expectedScb, 0);
    ByteBuffer q = ByteBuffer.allocate(rows * cols);
    ByteBuffer scb = ByteBuffer.allocate(rows * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    new Int8Quantizer(new ScalarKernelSupport(), ElementType.F32, cols).quantizeRows(floats(values), rows, q, scb);
    assertArrayEquals(expectedQ, q.array());
    float[] actualScb = new float[rows];
    scb.flip();
    scb.asFloatBuffer().get(actualScb);
    assertArrayEquals(expectedScb, actualScb);
  }
}
