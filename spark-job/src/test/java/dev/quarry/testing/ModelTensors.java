package dev.quarry.testing;

import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Whole tensors of a model directory (any of its .safetensors files), read directly for tests. */
public final class ModelTensors {
  private ModelTensors() {}

  public static List<Path> shards(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tensor's bytes, from whichever shard holds it. */
  public static byte[] bytes(Path dir, String tensor) throws IOException {
    for (Path shard : shards(dir)) {
      try (TensorFiles f = new TensorFiles(shard)) {
        if (f.entry(tensor) != null) {
          return f.bytes(tensor);
        }
      }
    }
    throw new AssertionError("no tensor " + tensor + " in " + dir);
  }

  public static TensorEntry entry(Path dir, String tensor) throws IOException {
    for (Path shard : shards(dir)) {
      try (TensorFiles f = new TensorFiles(shard)) {
        if (f.entry(tensor) != null) {
          return f.entry(tensor);
        }
      }
    }
    throw new AssertionError("no tensor " + tensor + " in " + dir);
  }

  /** A bf16, f16 or f32 tensor's values, widened by plain bit arithmetic. */
  public static float[] floats(Path dir, String tensor) throws IOException {
    Dtype dtype = entry(dir, tensor).dtype();
    ByteBuffer b = ByteBuffer.wrap(bytes(dir, tensor)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / dtype.byteSize()];
    for (int i = 0; i < out.length; i++) {
      switch (dtype) {
        case BF16 -> out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        case F16 -> out[i] = halfToFloat(b.getShort());
        case F32 -> out[i] = b.getFloat();
        default -> throw new AssertionError(tensor + ": not a float tensor but " + dtype);
      }
    }
    return out;
  }

  /** IEEE half bits to float by the textbook formula (independent of the kernels' Float16). */
  public static float halfToFloat(short h) {
    int sign = (h >> 15) & 1;
    int exponent = (h >> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    double magnitude = exponent == 0 ? mantissa * Math.pow(2, -24)
        : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
        : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
    return (float) (sign == 1 ? -magnitude : magnitude);
  }
}
