package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementBytes;
import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.GroupSquares;
import dev.quarry.kernels.LaneSquares;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector error kernels: in batches of whole groups (about {@link #BATCH}
 * elements, so that the batch's values stay in the L1 cache) the dequantized values and the widened
 * input are written in the layout of {@link SplitValues}, then compared group by group, the squares
 * summed in the lanes {@link LaneSquares} defines: in a run of 16 elements the layout holds the
 * values of elements 0, 2, 4, 6 (lanes 0-3), 8, .., 14 (lanes 4-7), 1, .., 7 (lanes 8-11) and
 * 9, .., 15 (lanes 12-15), each quarter widened to a 4-double vector, so the 16 partial sums are
 * four vectors, stored into the lanes before the group's last elements (fewer than 16) are added
 * one by one. (Several small loops rather than one: a loop that decoded codes and input and
 * compared grew too large for C2 to compile all its Vector API calls as vector instructions.)
 */
final class SplitCompare {
  /** Elements per batch at least one group, at most a group or 4096 (16 KiB of floats per array). */
  private static final int BATCH = 4096;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_128;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
  private static final int RUN = 16;
  private static final int QUARTER = 4;

  private SplitCompare() {}

  /** Writes the dequantized values of elements [first, first + length) (whole groups) from index 0 of {@code out}. */
  interface Values {
    void write(int first, int length, float[] out);
  }

  /** n input elements ({@link ElementBytes} from byte {@code xOff} of {@code x}) against {@code values}, in groups. */
  static void measure(ElementType type, byte[] x, int xOff, int n, int group, Values values, GroupSquares out) {
    out.start((n + group - 1) / group);
    int batch = Math.max(1, BATCH / group) * group;
    float[] scratch = out.scratch(2 * batch);
    for (int first = 0; first < n; first += batch) {
      int length = Math.min(batch, n - first);
      values.write(first, length, scratch);
      SplitValues.elements(type, x, xOff + first * type.byteSize(), length, group, scratch, batch);
      compare(scratch, batch, length, group, first / group, out);
    }
  }

  /** The values from index 0 of {@code s} against the inputs from {@code inputs}, in the same layout. */
  private static void compare(float[] s, int inputs, int n, int group, int firstGroup, GroupSquares out) {
    LaneSquares lanes = new LaneSquares();
    double[] maxima = new double[LaneSquares.LANES];
    for (int start = 0, g = firstGroup; start < n; start += group, g++) {
      int length = Math.min(group, n - start);
      int full = length - length % RUN;
      squaredErrors(s, inputs, start, full, lanes.errorLanes(), maxima);
      squaredInputs(s, inputs + start, full, lanes.valueLanes());
      for (int i = full; i < length; i++) {
        lanes.add(i, s[start + i], s[inputs + start + i]);
      }
      lanes.endGroup(out, g);
    }
    for (double m : maxima) {
      out.offerMax(m);
    }
  }

  /**
   * Elements [start, start + full) (whole runs): the squared errors summed into {@code lanes} (zero
   * on entry), the |errors| maxed into {@code maxima}. Its own method, and the squared inputs another:
   * one loop doing both is too large for C2 to inline every Vector API call, and a call it does not
   * inline boxes a vector per iteration.
   */
  private static void squaredErrors(float[] s, int inputs, int start, int full, double[] lanes, double[] maxima) {
    DoubleVector e0 = DoubleVector.zero(D);
    DoubleVector e1 = e0;
    DoubleVector e2 = e0;
    DoubleVector e3 = e0;
    DoubleVector max0 = DoubleVector.fromArray(D, maxima, 0);
    DoubleVector max1 = DoubleVector.fromArray(D, maxima, QUARTER);
    DoubleVector max2 = DoubleVector.fromArray(D, maxima, 2 * QUARTER);
    DoubleVector max3 = DoubleVector.fromArray(D, maxima, 3 * QUARTER);
    for (int i = start; i < start + full; i += RUN) {
      DoubleVector d0 = wide(s, i).sub(wide(s, inputs + i));
      DoubleVector d1 = wide(s, i + QUARTER).sub(wide(s, inputs + i + QUARTER));
      DoubleVector d2 = wide(s, i + 2 * QUARTER).sub(wide(s, inputs + i + 2 * QUARTER));
      DoubleVector d3 = wide(s, i + 3 * QUARTER).sub(wide(s, inputs + i + 3 * QUARTER));
      e0 = e0.add(d0.mul(d0));
      e1 = e1.add(d1.mul(d1));
      e2 = e2.add(d2.mul(d2));
      e3 = e3.add(d3.mul(d3));
      max0 = larger(max0, d0.abs());
      max1 = larger(max1, d1.abs());
      max2 = larger(max2, d2.abs());
      max3 = larger(max3, d3.abs());
    }
    e0.intoArray(lanes, 0);
    e1.intoArray(lanes, QUARTER);
    e2.intoArray(lanes, 2 * QUARTER);
    e3.intoArray(lanes, 3 * QUARTER);
    max0.intoArray(maxima, 0);
    max1.intoArray(maxima, QUARTER);
    max2.intoArray(maxima, 2 * QUARTER);
    max3.intoArray(maxima, 3 * QUARTER);
  }

  /** Inputs [at, at + full) (whole runs): their squares summed into {@code lanes} (zero on entry). */
  private static void squaredInputs(float[] s, int at, int full, double[] lanes) {
    DoubleVector v0 = DoubleVector.zero(D);
    DoubleVector v1 = v0;
    DoubleVector v2 = v0;
    DoubleVector v3 = v0;
    for (int i = at; i < at + full; i += RUN) {
      DoubleVector x0 = wide(s, i);
      DoubleVector x1 = wide(s, i + QUARTER);
      DoubleVector x2 = wide(s, i + 2 * QUARTER);
      DoubleVector x3 = wide(s, i + 3 * QUARTER);
      v0 = v0.add(x0.mul(x0));
      v1 = v1.add(x1.mul(x1));
      v2 = v2.add(x2.mul(x2));
      v3 = v3.add(x3.mul(x3));
    }
    v0.intoArray(lanes, 0);
    v1.intoArray(lanes, QUARTER);
    v2.intoArray(lanes, 2 * QUARTER);
    v3.intoArray(lanes, 3 * QUARTER);
  }

  private static DoubleVector wide(float[] s, int at) {
    return (DoubleVector) FloatVector.fromArray(F, s, at).convertShape(VectorOperators.F2D, D, 0);
  }

  /** Per lane the larger, by a compare and a blend: a NaN {@code b} leaves {@code a} (as {@link GroupSquares#offerMax}). */
  private static DoubleVector larger(DoubleVector a, DoubleVector b) {
    return a.blend(b, b.compare(VectorOperators.GT, a));
  }
}
