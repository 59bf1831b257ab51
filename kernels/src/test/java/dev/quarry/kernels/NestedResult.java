package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@link NestedAbsmaxQuantizer}'s output through the ByteBuffer API, as the converter calls it. */
public final class NestedResult {
  public final byte[] codes;
  public final float[] nestedAbsmax;

  private NestedResult(byte[] codes, float[] nestedAbsmax) {
    this.codes = codes;
    this.nestedAbsmax = nestedAbsmax;
  }

  /** Quantizes {@code absmax} with {@code kernels}, checking that every buffer is consumed exactly. */
  public static NestedResult of(KernelSupport kernels, float[] absmax, float offset) {
    ByteBuffer in = ByteBuffer.allocate(absmax.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    in.asFloatBuffer().put(absmax);
    ByteBuffer codes = ByteBuffer.allocate(absmax.length);
    int nestedBlocks = (absmax.length + NestedAbsmaxQuantizer.NESTED_BLOCKSIZE - 1) / NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
    ByteBuffer nested = ByteBuffer.allocate(nestedBlocks * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    NestedAbsmaxQuantizer.quantize(kernels, in, absmax.length, offset, codes, nested);
    assertEquals(0, in.remaining() + codes.remaining() + nested.remaining(), "every buffer consumed exactly");
    float[] nestedAbsmax = new float[nestedBlocks];
    nested.flip();
    nested.asFloatBuffer().get(nestedAbsmax);
    return new NestedResult(codes.array(), nestedAbsmax);
  }
}
