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
   * inline boxes a vector per iteration. The sums and maxima go through their arrays at each run
   * rather than in vectors carried around the loop: C2 knows a carried vector's class only from the
   * profile, and in some runs (at random) compiled the loop boxing it at every step, 3x slower.
   */
  private static void squaredErrors(float[] s, int inputs, int start, int full, double[] lanes, double[] maxima) {
    for (int i = start; i < start + full; i += RUN) {
      for (int q = 0; q < RUN; q += QUARTER) {
        DoubleVector d = wide(s, i + q).sub(wide(s, inputs + i + q));
        DoubleVector.fromArray(D, lanes, q).add(d.mul(d)).intoArray(lanes, q);
        larger(DoubleVector.fromArray(D, maxima, q), d.abs()).intoArray(maxima, q);
      }
    }
  }

  /** Inputs [at, at + full) (whole runs): their squares summed into {@code lanes} (zero on entry), as {@link #squaredErrors}. */
  private static void squaredInputs(float[] s, int at, int full, double[] lanes) {
    for (int i = at; i < at + full; i += RUN) {
      for (int q = 0; q < RUN; q += QUARTER) {
        DoubleVector x = wide(s, i + q);
        DoubleVector.fromArray(D, lanes, q).add(x.mul(x)).intoArray(lanes, q);
      }
    }
  }

  private static DoubleVector wide(float[] s, int at) {
    return (DoubleVector) FloatVector.fromArray(F, s, at).convertShape(VectorOperators.F2D, D, 0);
  }

  /** Per lane the larger, by a compare and a blend: a NaN {@code b} leaves {@code a} (as {@link GroupSquares#offerMax}). */
  private static DoubleVector larger(DoubleVector a, DoubleVector b) {
    return a.blend(b, b.compare(VectorOperators.GT, a));
  }
}
