package dev.quarry.quality.bench;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.Kernels;
import dev.quarry.quality.ErrorMeter;
import dev.quarry.quality.ErrorStats;
import dev.quarry.quality.ReferenceErrorMeter;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread throughput of the error measurement on 16 MiB of bfloat16 weights (the kernels'
 * benchmark distribution), quantized beforehand: nf4 and fp4 at blocksize 64, int8 rows of 4096.
 * Each is run by {@link ErrorMeter} and by the straightforward {@link ReferenceErrorMeter} (widen,
 * dequantize to float arrays, compare, sum every square exactly), beside a plain copy of the input,
 * so that speeds read as ratios within one run on a loaded machine. One "operation" is one input
 * byte: ops/s is input bytes per second per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class ErrorMeterBench {
  static final int INPUT_BYTES = 16 << 20;
  private static final int ELEMENTS = INPUT_BYTES / 2;
  private static final int BLOCKSIZE = 64;
  private static final int COLS = 4096;

  private byte[] input;
  private final byte[] copy = new byte[INPUT_BYTES];
  private byte[] nf4;
  private ByteBuffer nf4Absmax;
  private byte[] fp4;
  private ByteBuffer fp4Absmax;
  private byte[] int8;
  private ByteBuffer scb;

  @Setup
  public void setUp() {
    // weights as a trained layer holds them: normal, a few outliers, bfloat16-rounded
    SplittableRandom random = new SplittableRandom(42);
    short[] weights = new short[ELEMENTS];
    for (int i = 0; i < ELEMENTS; i++) {
      double w = random.nextGaussian() * 0.02 * (random.nextInt(1000) == 0 ? 20 : 1);
      int bits = Float.floatToRawIntBits((float) w);
      weights[i] = (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
    ByteBuffer bytes = ByteBuffer.allocate(INPUT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asShortBuffer().put(weights);
    input = bytes.array();
    KernelSupport kernels = Kernels.get();
    float[] scales = new float[ELEMENTS / BLOCKSIZE];
    nf4 = new byte[ELEMENTS / 2];
    kernels.quantize4Bit(FourBitFormat.NF4, ElementType.BF16, weights, 0, ELEMENTS, BLOCKSIZE, nf4, 0, scales, 0);
    nf4Absmax = floats(scales);
    fp4 = new byte[ELEMENTS / 2];
    kernels.quantize4Bit(FourBitFormat.FP4, ElementType.BF16, weights, 0, ELEMENTS, BLOCKSIZE, fp4, 0, scales, 0);
    fp4Absmax = floats(scales);
    float[] rowScales = new float[ELEMENTS / COLS];
    int8 = new byte[ELEMENTS];
    kernels.quantizeInt8Rows(ElementType.BF16, weights, 0, ELEMENTS / COLS, COLS, int8, 0, rowScales, 0);
    scb = floats(rowScales);
  }

  private static ByteBuffer floats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b;
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public byte[] copy() {
    System.arraycopy(input, 0, copy, 0, INPUT_BYTES);
    return copy;
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public ErrorStats nf4() {
    ErrorMeter meter = new ErrorMeter(ElementType.BF16);
    meter.fourBit(FourBitFormat.NF4, BLOCKSIZE, input, ELEMENTS, nf4, nf4Absmax, 0);
    return meter.stats();
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public ErrorStats nf4Reference() {
    return ReferenceErrorMeter.fourBit(ElementType.BF16, FourBitFormat.NF4, BLOCKSIZE, input, ELEMENTS, nf4,
        nf4Absmax, 0);
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public ErrorStats fp4() {
    ErrorMeter meter = new ErrorMeter(ElementType.BF16);
    meter.fourBit(FourBitFormat.FP4, BLOCKSIZE, input, ELEMENTS, fp4, fp4Absmax, 0);
    return meter.stats();
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public ErrorStats int8() {
    ErrorMeter meter = new ErrorMeter(ElementType.BF16);
    meter.int8(input, ELEMENTS / COLS, COLS, int8, scb, 0);
    return meter.stats();
  }

  @Benchmark
  @OperationsPerInvocation(INPUT_BYTES)
  public ErrorStats int8Reference() {
    return ReferenceErrorMeter.int8(ElementType.BF16, input, ELEMENTS / COLS, COLS, int8, scb, 0);
  }
}
