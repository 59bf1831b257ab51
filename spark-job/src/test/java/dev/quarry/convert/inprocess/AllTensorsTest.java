package dev.quarry.convert.inprocess;

import dev.quarry.kernels.Kernels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.Int8Quantizer;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorSpec;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.TensorFiles;
import dev.quarry.testing.TestCheckpoints;
import dev.quarry.testing.TestCheckpoints.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --all-tensors} on generated files with 1-D, 3-D, scalar, odd-length and multi-chunk
 * tensors. The pipeline (chunking, staging, layout, naming) must give exactly what the kernels
 * compute when handed each whole tensor at once; non-float tensors are copied.
 */
class AllTensorsTest {
  @TempDir
  Path dir;

  private static final Random RANDOM = new Random(11);

  /** Larger than one chunk (2^20 elements) and odd, so the last chunk is short and its last block partial. */
  private static final long LONG_1D = (1L << 20) * 2 + 4097;

  private static Tensor f32(String name, List<Long> shape) {
    int n = Math.toIntExact(dev.quarry.safetensors.TensorEntry.elementCount(shape));
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) RANDOM.nextGaussian() * 3);
    }
    return new Tensor(new TensorSpec(name, Dtype.F32, shape), b.array());
  }

  private static Tensor sixteenBit(String name, Dtype dtype, List<Long> shape) {
    int n = Math.toIntExact(dev.quarry.safetensors.TensorEntry.elementCount(shape));
    ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      // bf16: top half of a float; f16: exponent 0x3c00 ± small, always finite
      short bits = dtype == Dtype.BF16 ? (short) (Float.floatToIntBits((float) RANDOM.nextGaussian()) >>> 16)
          : (short) (0x3000 + RANDOM.nextInt(0x1000) | (RANDOM.nextBoolean() ? 0x8000 : 0));
      b.putShort(bits);
    }
    return new Tensor(new TensorSpec(name, dtype, shape), b.array());
  }

  private List<Tensor> inputTensors() {
    return List.of(
        f32("long.bias", List.of(LONG_1D)),
        sixteenBit("cube.weight", Dtype.BF16, List.of(3L, 5L, 7L)),
        sixteenBit("half.weight", Dtype.F16, List.of(4L, 33L)),
        f32("scalar", List.of()),
        new Tensor(new TensorSpec("ids", Dtype.I64, List.of(3L)), new byte[24]),
        new Tensor(new TensorSpec("empty.weight", Dtype.F32, List.of(0L, 4L)), new byte[0]));
  }

  private Path quantize(QuantizeOptions options, List<Tensor> tensors) throws IOException {
    Path in = dir.resolve("in.safetensors");
    Path out = dir.resolve("out.safetensors");
    TestCheckpoints.write(in, tensors);
    new SafetensorsQuantizer(options)
        .quantize(LocalFiles.fs(), LocalFiles.hadoopPath(in), LocalFiles.fs(), LocalFiles.hadoopPath(out));
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = QuantMode.class, names = {"NF4", "FP4_DQ"})
  void fourBitEqualsTheKernelOnWholeTensors(QuantMode mode) throws IOException {
    List<Tensor> tensors = inputTensors();
    int blocksize = 128;
    Path out = quantize(new QuantizeOptions(mode, blocksize, true), tensors);
    try (TensorFiles result = new TensorFiles(out)) {
      for (Tensor t : tensors.subList(0, 4)) {
        String name = t.spec().name();
        ElementType type = ElementType.fromSafetensorsName(t.spec().dtype().name());
        long n = dev.quarry.safetensors.TensorEntry.elementCount(t.spec().shape());
        long blocks = (n + blocksize - 1) / blocksize;
        FourBitQuantizer q = new FourBitQuantizer(Kernels.get(), mode.fourBitFormat(), type, blocksize);
        ByteBuffer packed = ByteBuffer.allocate((int) ((n + 1) / 2)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer absmax = ByteBuffer.allocate((int) blocks * 4).order(ByteOrder.LITTLE_ENDIAN);
        q.quantize(ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN), n, packed, absmax);
        assertArrayEquals(packed.array(), result.bytes(name), name);
        assertEquals(List.of((n + 1) / 2, 1L), result.entry(name).shape());
        if (mode.doubleQuant()) {
          ByteBuffer codes = ByteBuffer.allocate((int) blocks);
          ByteBuffer nested = ByteBuffer.allocate((int) ((blocks + 255) / 256) * 4).order(ByteOrder.LITTLE_ENDIAN);
          absmax.flip();
          NestedAbsmaxQuantizer.quantize(absmax, (int) blocks, q.absmaxSum().mean(blocks), codes, nested);
          assertArrayEquals(codes.array(), result.bytes(name + ".absmax"), name);
          assertArrayEquals(nested.array(), result.bytes(name + ".nested_absmax"), name);
        } else {
          assertArrayEquals(absmax.array(), result.bytes(name + ".absmax"), name);
        }
      }
      assertArrayEquals(new byte[24], result.bytes("ids"));
      assertEquals(Dtype.F32, result.entry("empty.weight").dtype(), "an empty tensor is copied");
    }
  }

  @Test
  void int8EqualsTheKernelOnWholeTensors() throws IOException {
    List<Tensor> tensors = inputTensors();
    Path out = quantize(new QuantizeOptions(QuantMode.INT8, 64, true), tensors);
    try (TensorFiles result = new TensorFiles(out)) {
      for (Tensor t : tensors.subList(0, 4)) {
        String name = t.spec().name();
        List<Long> shape = t.spec().shape();
        long cols = shape.isEmpty() ? 1 : shape.get(shape.size() - 1);
        long rows = dev.quarry.safetensors.TensorEntry.elementCount(shape) / cols;
        ElementType type = ElementType.fromSafetensorsName(t.spec().dtype().name());
        ByteBuffer q = ByteBuffer.allocate((int) (rows * cols));
        ByteBuffer scb = ByteBuffer.allocate((int) rows * 4).order(ByteOrder.LITTLE_ENDIAN);
        new Int8Quantizer(Kernels.get(), type, (int) cols)
            .quantizeRows(ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN), rows, q, scb);
        String module = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : name;
        assertArrayEquals(q.array(), result.bytes(name), name);
        assertEquals(shape, result.entry(name).shape());
        assertArrayEquals(scb.array(), result.bytes(module + ".SCB"), name);
        assertArrayEquals(new byte[] {0}, result.bytes(module + ".weight_format"), name);
      }
    }
  }

  @Test
  void withoutAllTensorsOnlyTwoDimensionalWeightsAreQuantized() throws IOException {
    List<Tensor> tensors = inputTensors();
    Path out = quantize(QuantizeOptions.of(QuantMode.NF4), tensors);
    try (TensorFiles result = new TensorFiles(out)) {
      assertEquals(Dtype.U8, result.entry("half.weight").dtype());
      for (Tensor t : List.of(tensors.get(0), tensors.get(1), tensors.get(3))) {
        assertArrayEquals(t.data(), result.bytes(t.spec().name()), t.spec().name());
      }
    }
  }
}
