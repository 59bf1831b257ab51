package dev.quarry.kernels.vector;

import dev.quarry.kernels.ElementType;
import dev.quarry.kernels.GroupSquares;
import dev.quarry.kernels.LaneSquares;
import dev.quarry.kernels.ShortElements;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Compares 16-bit input elements with their dequantized values in the layout of {@link SplitValues},
 * group by group, and sums the squares in the lanes {@link LaneSquares} defines: a run of 16
 * elements is read as two halves of 4 pairs; the evens of the first half are elements 0, 2, 4, 6
 * (lanes 0-3), the evens of the second half lanes 4-7, the odds lanes 8-11 and 12-15. Each goes
 * to double as a 4-lane vector, so the 16 partial sums are four vectors, stored into the lanes
 * before the group's last elements (fewer than 16) are added one by one.
 */
final class SplitCompare {
  private static final VectorSpecies<Short> HALF_RUN = ShortVector.SPECIES_128;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_128;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
  private static final int RUN = 16;
  private static final int QUARTER = 4;

  private SplitCompare() {}

  static void compare(ElementType type, short[] x, int xOff, int n, int group, float[] values, GroupSquares out) {
    LaneSquares lanes = new LaneSquares();
    out.start((n + group - 1) / group);
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector max0 = zero;
    DoubleVector max1 = zero;
    DoubleVector max2 = zero;
    DoubleVector max3 = zero;
    for (int start = 0, g = 0; start < n; start += group, g++) {
      int length = Math.min(group, n - start);
      int full = length - length % RUN;
      DoubleVector e0 = zero;
      DoubleVector e1 = zero;
      DoubleVector e2 = zero;
      DoubleVector e3 = zero;
      DoubleVector v0 = zero;
      DoubleVector v1 = zero;
      DoubleVector v2 = zero;
      DoubleVector v3 = zero;
      for (int i = start; i < start + full; i += RUN) {
        IntVector first = ShortVector.fromArray(HALF_RUN, x, xOff + i).reinterpretAsInts();
        IntVector second = ShortVector.fromArray(HALF_RUN, x, xOff + i + RUN / 2).reinterpretAsInts();
        DoubleVector x0 = wide(HalfPairs.even(type, first));
        DoubleVector x1 = wide(HalfPairs.even(type, second));
        DoubleVector x2 = wide(HalfPairs.odd(type, first));
        DoubleVector x3 = wide(HalfPairs.odd(type, second));
        DoubleVector d0 = wide(FloatVector.fromArray(F, values, i)).sub(x0);
        DoubleVector d1 = wide(FloatVector.fromArray(F, values, i + QUARTER)).sub(x1);
        DoubleVector d2 = wide(FloatVector.fromArray(F, values, i + 2 * QUARTER)).sub(x2);
        DoubleVector d3 = wide(FloatVector.fromArray(F, values, i + 3 * QUARTER)).sub(x3);
        e0 = e0.add(d0.mul(d0));
        e1 = e1.add(d1.mul(d1));
        e2 = e2.add(d2.mul(d2));
        e3 = e3.add(d3.mul(d3));
        v0 = v0.add(x0.mul(x0));
        v1 = v1.add(x1.mul(x1));
        v2 = v2.add(x2.mul(x2));
        v3 = v3.add(x3.mul(x3));
        max0 = larger(max0, d0.abs());
        max1 = larger(max1, d1.abs());
        max2 = larger(max2, d2.abs());
        max3 = larger(max3, d3.abs());
      }
      double[] errorLanes = lanes.errorLanes();
      double[] valueLanes = lanes.valueLanes();
      e0.intoArray(errorLanes, 0);
      e1.intoArray(errorLanes, QUARTER);
      e2.intoArray(errorLanes, 2 * QUARTER);
      e3.intoArray(errorLanes, 3 * QUARTER);
      v0.intoArray(valueLanes, 0);
      v1.intoArray(valueLanes, QUARTER);
      v2.intoArray(valueLanes, 2 * QUARTER);
      v3.intoArray(valueLanes, 3 * QUARTER);
      for (int i = full; i < length; i++) {
        lanes.add(i, values[start + i], ShortElements.value(type, x, xOff, start + i));
      }
      lanes.endGroup(out, g);
    }
    double[] maxima = larger(larger(max0, max1), larger(max2, max3)).toArray();
    for (double m : maxima) {
      out.offerMax(m);
    }
  }

  private static DoubleVector wide(FloatVector v) {
    return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
  }

  /** Per lane the larger, by a compare and a blend: a NaN {@code b} leaves {@code a} (as {@link GroupSquares#offerMax}). */
  private static DoubleVector larger(DoubleVector a, DoubleVector b) {
    return a.blend(b, b.compare(VectorOperators.GT, a));
  }
}
