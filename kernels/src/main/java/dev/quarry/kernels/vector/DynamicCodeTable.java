package dev.quarry.kernels.vector;

import dev.quarry.kernels.DynamicMap;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DynamicMap#code(float)} as a branch-free vector table lookup, built at class init from
 * that reference itself, for every float including ±inf and NaN.
 *
 * <p>Why a table can reproduce it: {@code code()} only compares v with fixed float constants
 * (map values and float32 midpoints), so it is a step function of v, and it is non-decreasing in
 * v (DynamicCodeTableTest checks both over every float). So for each sign it is a monotone step
 * function of the magnitude bits m with 255 steps at most, found here by binary search over m.
 *
 * <p>The lookup: m is clamped to [{@link #LOW}, {@link #HIGH}] (outside, the code does not
 * change) and split into buckets of 2^{@value #SHIFT} magnitudes, 1/128 of a binade (at most
 * 0.79% of the value). The steps lie at least 1.06% apart (near 1), so a bucket holds at most one
 * step (checked here), and one int entry per bucket and sign holds the code at the bucket's
 * start (bits 0–7), the code from the step on (bits 8–15) and the step's offset in the bucket
 * (bits 16–31; 0 when the code does not change in the bucket and both codes are equal).
 */
final class DynamicCodeTable {
  static final int SHIFT = 16;
  private static final int IN_BUCKET = (1 << SHIFT) - 1;
  private static final int MAGNITUDE = 0x7fffffff;
  private static final int INFINITY = 0x7f800000;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

  /** Magnitudes at or below LOW code like LOW, those at or above HIGH like HIGH (either sign). */
  static final int LOW;
  static final int HIGH;
  /** Buckets per sign. */
  static final int BUCKETS;
  /** Positive buckets, then negative ones. */
  private static final int[] ENTRIES;

  static {
    int lowest = Math.min(firstStep(0, 0, INFINITY), firstStep(1, 0, INFINITY));
    LOW = (lowest - 1) & ~IN_BUCKET;
    HIGH = Math.max(codeOfInfinityFrom(0), codeOfInfinityFrom(1));
    BUCKETS = ((HIGH - LOW) >>> SHIFT) + 1;
    ENTRIES = new int[2 * BUCKETS];
    for (int side = 0; side < 2; side++) {
      for (int bucket = 0; bucket < BUCKETS; bucket++) {
        ENTRIES[side * BUCKETS + bucket] = entry(side, LOW + (bucket << SHIFT));
      }
    }
    // NaN is looked up as a negative magnitude above HIGH, i.e. like -inf
    if (DynamicMap.code(Float.NaN) != DynamicMap.code(Float.NEGATIVE_INFINITY)) {
      throw new IllegalStateException("NaN does not code like -inf");
    }
  }

  private DynamicCodeTable() {}

  /**
   * {@link DynamicMap#code(float)} of the float whose bits are in each lane, by a gather from the
   * table; {@code indexes} is scratch for the gather's index map (the Vector API takes it from an
   * array), written at [at, at + 8).
   */
  static IntVector codes(IntVector bits, int[] indexes, int at) {
    IntVector magnitude = bits.and(MAGNITUDE);
    // negative values and NaN (INFINITY - magnitude < 0) look up the negative side
    VectorMask<Integer> negativeSide = bits.or(magnitude.neg().add(INFINITY)).compare(VectorOperators.LT, 0);
    IntVector m = magnitude.max(LOW).min(HIGH).sub(LOW);
    m.lanewise(VectorOperators.LSHR, SHIFT).add(BUCKETS, negativeSide).intoArray(indexes, at);
    IntVector entry = IntVector.fromArray(I, ENTRIES, 0, indexes, at);
    VectorMask<Integer> pastStep = m.and(IN_BUCKET).compare(VectorOperators.GE, entry.lanewise(VectorOperators.LSHR, 16));
    return entry.blend(entry.lanewise(VectorOperators.LSHR, 8), pastStep).and(0xff);
  }

  private static int entry(int side, int start) {
    int end = Math.min(start + IN_BUCKET, HIGH); // no lookup goes past HIGH
    int before = referenceCode(side, start);
    int after = referenceCode(side, end);
    if (before == after) {
      return before * 0x101;
    }
    int step = firstStep(side, start, end);
    if (referenceCode(side, step) != after) {
      throw new IllegalStateException("two steps of the dynamic map's code within the bucket of magnitude "
          + Integer.toHexString(start) + ": buckets must be narrower");
    }
    return (step - start) << 16 | after << 8 | before;
  }

  /**
   * The first magnitude in (from, to] whose code differs from that of {@code from} (to if none),
   * by binary search: the code is monotone in the magnitude.
   */
  private static int firstStep(int side, int from, int to) {
    int code = referenceCode(side, from);
    int lo = from + 1;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (referenceCode(side, mid) != code) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The smallest magnitude from which on the code is that of infinity of this sign. */
  private static int codeOfInfinityFrom(int side) {
    int code = referenceCode(side, INFINITY);
    int lo = 0;
    int hi = INFINITY;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (referenceCode(side, mid) == code) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private static int referenceCode(int side, int magnitude) {
    return DynamicMap.code(Float.intBitsToFloat(side << 31 | magnitude));
  }
}
