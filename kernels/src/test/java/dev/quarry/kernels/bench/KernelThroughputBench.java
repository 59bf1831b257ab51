package dev.quarry.kernels.bench;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Single-thread throughput of the kernels on 16 MiB of in-memory bfloat16 weights (blocksize 64
 * for the 4-bit formats, 2048 x 4096 rows for int8), beside a plain copy of the same input bytes.
 * One "operation" is one input byte, so JMH's ops/s is input bytes per second per core.
 *
 * <p>Each benchmark also counts the thread CPU time it spent and the input bytes it did
 * ({@link CpuTime}): on a machine shared with other work the wall-clock figure drops with the
 * load, while bytes per CPU-second stay the kernel's own speed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class KernelThroughputBench {
  static final int INPUT_BYTES = 16 << 20;
  private static final int ELEMENTS = INPUT_BYTES / 2;
  private static final int BLOCKSIZE = 64;
  private static final int COLS = 4096;

  private short[] input;
  private short[] copy;
  private byte[] packed;
  private byte[] int8;
  private float[] absmax;

  /** Which implementation the kernel benchmarks run (the copy baseline does not use it). */
  @State(Scope.Thread)
  public static class Implementation {
    /** "vector" (what {@link Kernels#get()} picks, checked to be the vector kernels) or "scalar". */
    @Param({"vector", "scalar"})
    public String implementation;

    KernelSupport kernels;

    @Setup
    public void setUp() {
      kernels = "scalar".equals(implementation) ? Kernels.scalar() : Kernels.get();
      if (!kernels.name().startsWith(implementation)) {
        throw new IllegalStateException("asked for " + implementation + " kernels, got " + kernels.name());
      }
    }
  }

  /**
   * Thread CPU nanoseconds and input bytes of the measured calls, summed per iteration (JMH
   * reports public fields of an {@link AuxCounters} state as secondary results).
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long inputBytes;

    @Setup(Level.Iteration)
    public void reset() {
      cpuNanos = 0;
      inputBytes = 0;
    }

    long start() {
      return THREADS.getCurrentThreadCpuTime();
    }

    void stop(long start) {
      cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
      inputBytes += INPUT_BYTES;
    }
  }

  @Setup
  public void setUp() {
    // weights as a trained layer holds them: normal, a few outliers, bfloat16-rounded
    SplittableRandom random = new SplittableRandom(42);
    input = new short[ELEMENTS];
    for (int i = 0; i < ELEMENTS; i++) {
      double w = random.nextGaussian() * 0.02 * (random.nextInt(1000) == 0 ? 20 : 1);
      int bits = Float.floatToRawIntBits((float) w);
      input[i] = (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
    copy = new short[ELEMENTS];
    packed = new byte[ELEMENTS / 2];
    int8 = new byte[ELEMENTS];
    absmax = new float[ELEMENTS / BLOCKSIZE];
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public short[] copy(CpuTime cpu) {
    long start = cpu.start();
    System.arraycopy(input, 0, copy, 0, ELEMENTS);
    cpu.stop(start);
    return copy;
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public byte[] nf4(Implementation impl, CpuTime cpu) {
    long start = cpu.start();
    impl.kernels.quantize4Bit(FourBitFormat.NF4, ElementType.BF16, input, 0, ELEMENTS, BLOCKSIZE, packed, 0, absmax, 0);
    cpu.stop(start);
    return packed;
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public byte[] fp4(Implementation impl, CpuTime cpu) {
    long start = cpu.start();
    impl.kernels.quantize4Bit(FourBitFormat.FP4, ElementType.BF16, input, 0, ELEMENTS, BLOCKSIZE, packed, 0, absmax, 0);
    cpu.stop(start);
    return packed;
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public byte[] int8(Implementation impl, CpuTime cpu) {
    long start = cpu.start();
    impl.kernels.quantizeInt8Rows(ElementType.BF16, input, 0, ELEMENTS / COLS, COLS, int8, 0, absmax, 0);
    cpu.stop(start);
    return int8;
  }
}
