package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The block-FP8 decoder against the reference: every F8_E4M3 weight of {@code sources/fp8/tiny-llama/input}
 * with its {@code _scale_inv}, dequantized row by row, equals the bfloat16 weight of {@code dequantized/}
 * bit for bit (its 704-long dimension ends in a partial block); and the e4m3fn codes' special values.
 */
class BlockFp8Test {
  private static final int BLOCK = 128;

  @Test
  void knownCodes() {
    assertEquals(448f, BlockFp8.toFloat((byte) 0x7e), "the largest finite e4m3fn");
    assertEquals(-448f, BlockFp8.toFloat((byte) 0xfe));
    assertEquals(0x1p-9f, BlockFp8.toFloat((byte) 0x01), "the smallest subnormal");
    assertEquals(0x1p-6f, BlockFp8.toFloat((byte) 0x08), "the smallest normal");
    assertEquals(1f, BlockFp8.toFloat((byte) 0x38));
    assertEquals(-0f, BlockFp8.toFloat((byte) 0x80));
    assertTrue(Float.isNaN(BlockFp8.toFloat((byte) 0x7f)), "e4m3fn has NaN and no inf");
    assertTrue(Float.isNaN(BlockFp8.toFloat((byte) 0xff)));
    assertEquals((short) 0x7fc0, BlockFp8.dequantize((byte) 0x7f, 2f), "NaN comes out as torch's bfloat16 NaN");
  }

  @Test
  void everyCodeIsItsFormulaValue() {
    for (int code = 0; code < 256; code++) {
      int e = (code >>> 3) & 0xf;
      int m = code & 7;
      if (e == 0xf && m == 7) {
        continue;
      }
      double v = (e == 0 ? m / 8.0 * Math.pow(2, -6) : (1 + m / 8.0) * Math.pow(2, e - 7)) * ((code & 0x80) != 0 ? -1 : 1);
      assertEquals(v, BlockFp8.toFloat((byte) code), 0.0, "code " + code);
    }
  }

  @Test
  void dequantizesTheReferenceModelBitForBit() throws IOException {
    int checked = 0;
    for (int shard = 1; shard <= 5; shard++) {
      String file = "model-0000" + shard + "-of-00005.safetensors";
      Map<String, SafetensorsTestFile.Tensor> in = new SafetensorsTestFile(ReferenceDir.file("sources/fp8/tiny-llama/input/" + file)).tensors();
      Map<String, SafetensorsTestFile.Tensor> expected =
          new SafetensorsTestFile(ReferenceDir.file("sources/fp8/tiny-llama/dequantized/" + file)).tensors();
      for (SafetensorsTestFile.Tensor w : in.values()) {
        if (!w.dtype().equals("F8_E4M3")) {
          continue;
        }
        SafetensorsTestFile.Tensor scale = in.get(w.name() + "_scale_inv");
        int rows = (int) w.shape()[0];
        int cols = (int) w.shape()[1];
        int scaleCols = (int) scale.shape()[1];
        assertEquals((cols + BLOCK - 1) / BLOCK, scaleCols);
        byte[] codes = new byte[rows * cols];
        w.bytes().get(codes);
        ByteBuffer scales = scale.bytes();
        byte[] out = new byte[rows * cols * 2];
        float[] rowScales = new float[scaleCols];
        for (int i = 0; i < rows; i++) {
          for (int b = 0; b < scaleCols; b++) {
            rowScales[b] = scales.getFloat(((i / BLOCK) * scaleCols + b) * Float.BYTES);
          }
          BlockFp8.dequantizeRow(codes, i * cols, cols, 0, rowScales, BLOCK, out, i * cols * 2);
        }
        byte[] reference = new byte[out.length];
        expected.get(w.name()).bytes().get(reference);
        assertEquals(ByteBuffer.wrap(reference), ByteBuffer.wrap(out), w.name());
        checked++;
      }
    }
    assertEquals(14, checked, "seven weights in each of two layers");
  }
}
