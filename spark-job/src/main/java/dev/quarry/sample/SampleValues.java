package dev.quarry.sample;

import dev.quarry.safetensors.TensorSpec;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Deterministic bfloat16 values of one generated tensor, produced piece by piece: norm weights are
 * 1.0, every other tensor is normal with standard deviation 0.02 (transformers'
 * {@code initializer_range}). Each tensor has its own random stream derived from the seed and its
 * name, so the bytes do not depend on the order tensors are written in.
 *
 * <p>The normals come from Marsaglia's polar method over {@link SplittableRandom#nextDouble()} with
 * {@link StrictMath}, whose results Java specifies bit for bit, so the sample (and every checksum
 * of its conversions) is the same on every JDK: {@code SplittableRandom.nextGaussian()} gave
 * different values on JDK 17 and 25 for a few elements (two of the demo's five shards differed).
 * It costs about 65 M normals per second against nextGaussian's 190 M (Box–Muller with sin and cos:
 * 27 M), which bounds how fast a large sample is written.
 */
final class SampleValues {
  private static final short BF16_ONE = 0x3f80;
  private static final double STD = 0.02;

  private final boolean ones;
  private final SplittableRandom random;
  /** The polar method makes normals in pairs: the second of the last pair, when not yet used. */
  private double spare;
  private boolean hasSpare;

  SampleValues(TensorSpec tensor, long seed) {
    this.ones = tensor.name().endsWith("norm.weight");
    this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ tensor.name().hashCode());
  }

  /** Fills {@code dst} (little-endian) from its position up to its limit with the next values. */
  void fill(ByteBuffer dst) {
    while (dst.remaining() >= 2) {
      dst.putShort(ones ? BF16_ONE : toBfloat16((float) (nextNormal() * STD)));
    }
  }

  private double nextNormal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // a point uniform in the unit disc (without its centre), scaled onto two independent normals
    double u;
    double v;
    double radius2;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      radius2 = u * u + v * v;
    } while (radius2 >= 1 || radius2 == 0);
    double scale = StrictMath.sqrt(-2 * StrictMath.log(radius2) / radius2);
    spare = v * scale;
    hasSpare = true;
    return u * scale;
  }

  /** Round to nearest even, as torch's float → bfloat16 cast does (values here are finite). */
  static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }
}
