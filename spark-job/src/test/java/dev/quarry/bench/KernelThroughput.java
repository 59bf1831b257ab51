package dev.quarry.bench;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitQuantizer;
import dev.quarry.kernels.Int8Quantizer;
import dev.quarry.kernels.Kernels;
import dev.quarry.quantize.QuantMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** The single-core figure of the kernel a mode uses: GB/s of bfloat16 input quantized by one thread, in memory. */
final class KernelThroughput {
  private static final int ELEMENTS = 16 << 20;
  private static final int ROUNDS = 4;

  private KernelThroughput() {}

  static double singleCore(QuantMode mode) {
    ByteBuffer input = ByteBuffer.allocate(ELEMENTS * 2).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom random = new SplittableRandom(1);
    while (input.hasRemaining()) {
      input.putShort((short) (Float.floatToRawIntBits((float) (random.nextGaussian() * 0.02)) >>> 16));
    }
    ByteBuffer codes = ByteBuffer.allocate(ELEMENTS).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer constants = ByteBuffer.allocate(ELEMENTS / 16).order(ByteOrder.LITTLE_ENDIAN);
    double best = Double.MAX_VALUE;
    for (int round = 0; round <= ROUNDS; round++) { // round 0 warms up
      input.clear();
      codes.clear();
      constants.clear();
      long start = System.nanoTime();
      if (mode.isFourBit()) {
        new FourBitQuantizer(Kernels.get(), mode.fourBitFormat(), ElementType.BF16, 64)
            .quantize(input, ELEMENTS, codes, constants);
      } else {
        new Int8Quantizer(Kernels.get(), ElementType.BF16, 4096).quantizeRows(input, ELEMENTS / 4096, codes, constants);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      best = round == 0 ? best : Math.min(best, seconds);
    }
    return ELEMENTS * 2 / best / 1e9;
  }
}
