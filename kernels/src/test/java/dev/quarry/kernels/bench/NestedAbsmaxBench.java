package dev.quarry.kernels.bench;

import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread throughput of double quantization ({@link NestedAbsmaxQuantizer#quantize}) of 1 Mi
 * float32 absmax values, as the converter calls it (little-endian bytes in and out), with the
 * scalar reference (the binary search of {@code DynamicMap.code}) and the vector kernels (table
 * lookup) in the same run. One "operation" is one absmax value, so JMH's ops/s is values/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class NestedAbsmaxBench {
  static final int VALUES = 1 << 20;
  private static final int BLOCKSIZE = 64;

  /** "vector" (what {@link Kernels#get()} picks, checked to be the vector kernels) or "scalar". */
  @Param({"vector", "scalar"})
  public String implementation;

  private KernelSupport kernels;
  private ByteBuffer absmax;
  private float offset;
  private ByteBuffer codes;
  private ByteBuffer nestedAbsmax;

  @Setup
  public void setUp() {
    kernels = "scalar".equals(implementation) ? Kernels.scalar() : Kernels.get();
    if (!kernels.name().startsWith(implementation)) {
      throw new IllegalStateException("asked for " + implementation + " kernels, got " + kernels.name());
    }
    // the absmax of blocks of 64 normal weights (sigma 0.02, rare outliers), as the 4-bit pass gives them
    SplittableRandom random = new SplittableRandom(42);
    absmax = ByteBuffer.allocate(VALUES * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    double sum = 0;
    for (int i = 0; i < VALUES; i++) {
      double max = 0;
      for (int j = 0; j < BLOCKSIZE; j++) {
        max = Math.max(max, Math.abs(random.nextGaussian() * 0.02 * (random.nextInt(1000) == 0 ? 20 : 1)));
      }
      absmax.putFloat((float) max);
      sum += (float) max;
    }
    offset = (float) (sum / VALUES);
    codes = ByteBuffer.allocate(VALUES);
    nestedAbsmax = ByteBuffer.allocate(VALUES / NestedAbsmaxQuantizer.NESTED_BLOCKSIZE * Float.BYTES);
  }

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public ByteBuffer quantize() {
    absmax.clear();
    codes.clear();
    nestedAbsmax.clear();
    NestedAbsmaxQuantizer.quantize(kernels, absmax, VALUES, offset, codes, nestedAbsmax);
    return codes;
  }
}
