package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One 4-bit reference case, parsed from its tensor-name prefix {@code <input>/<nf4|fp4>/bs<B>/<plain|dq>}. */
record ReferenceCase(String prefix, String input, FourBitFormat format, int blocksize) {

  static ReferenceCase parse(String prefix) {
    String[] parts = prefix.split("/");
    return new ReferenceCase(prefix, parts[0], FourBitFormat.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT)),
        Integer.parseInt(parts[2].substring("bs".length())));
  }

  SafetensorsTestFile.Tensor inputTensor() {
    return ReferenceVectors.get().tensor("in/" + input);
  }

  ElementType type() {
    return ElementType.fromSafetensorsName(inputTensor().dtype());
  }

  long elementCount() {
    return inputTensor().elementCount();
  }

  int blocks() {
    return Math.toIntExact((elementCount() + blocksize - 1) / blocksize);
  }

  SafetensorsTestFile.Tensor result(String name) {
    return ReferenceVectors.get().tensor(prefix + "/" + name);
  }

  /** Quantizes the whole input with the scalar kernels through the ByteBuffer API. */
  Quantized quantize() {
    long n = elementCount();
    ByteBuffer packed = ByteBuffer.allocate(Math.toIntExact((n + 1) / 2));
    ByteBuffer absmax = ByteBuffer.allocate(blocks() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    FourBitQuantizer quantizer = new FourBitQuantizer(new ScalarKernelSupport(), format, type(), blocksize);
    quantizer.quantize(inputTensor().bytes(), n, packed, absmax);
    float[] absmaxValues = new float[blocks()];
    absmax.flip();
    absmax.asFloatBuffer().get(absmaxValues);
    return new Quantized(packed.array(), absmaxValues, quantizer.absmaxSum());
  }

  /**
   * Quantizes the input and asserts the packed codes equal the reference {@code packed} and the
   * float32 absmax equal the reference tensor {@code absmaxTensor}; returns the result.
   */
  Quantized assertQuantizesLikeTheGpu(String absmaxTensor) {
    Quantized q = quantize();
    assertArrayEquals(ReferenceVectors.bytes(result("packed")), q.packed(), prefix + "/packed");
    FloatBits.assertBitsEqual(ReferenceVectors.floats(result(absmaxTensor)), q.absmax(), prefix + "/" + absmaxTensor);
    return q;
  }

  /**
   * Dequantizes the reference packed codes with the given float32 absmax and asserts the values,
   * in the input dtype, equal the reference {@code dequant}. The reference has it only for
   * blocksize 64; other cases return without checking.
   */
  void assertDequantizesLikeTheGpu(float[] absmax) {
    if (!ReferenceVectors.get().has(prefix + "/dequant")) {
      return;
    }
    float[] values = new float[Math.toIntExact(elementCount())];
    Dequantizer.fourBit(format, blocksize, ReferenceVectors.bytes(result("packed")), 0, absmax, 0, values.length, values, 0);
    assertArrayEquals(ReferenceVectors.bytes(result("dequant")), toInputDtype(values), prefix + "/dequant");
  }

  /** float32 dequantized values rounded to the input dtype, as the GPU kernel stores them, little-endian. */
  private byte[] toInputDtype(float[] values) {
    ElementType type = type();
    ByteBuffer out = ByteBuffer.allocate(values.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (type) {
        case F32 -> out.putFloat(v);
        case F16 -> out.putShort(Float16.fromFloat(v));
        case BF16 -> out.putShort(Float16.bfloat16FromFloat(v));
      }
    }
    return out.array();
  }

  record Quantized(byte[] packed, float[] absmax, ExactSum absmaxSum) {
  }
}
