package dev.quarry.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quarry.kernels.DynamicMap;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;

/**
 * The table lookup against the reference {@link DynamicMap#code(float)}, over every float.
 *
 * <p>The argument: code() compares v only with constants, namely map values C[i], ±1 and float32
 * midpoints (a + b) * 0.5f of two of those. Between two consecutive constants (in value order)
 * every comparison has the same outcome, so code() is constant on each open interval between
 * them. The table is a step function too, whose value changes only at bucket starts and at one
 * step per bucket. So checking both at every constant and bucket start and at the floats just
 * below and above each covers each open interval at both ends: if the reference were not
 * constant there, or the table stepped inside it, one of those checks would fail. And a
 * non-decreasing reference on those points is non-decreasing over every float.
 */
class DynamicCodeTableTest {
  private static final int MAGNITUDE = 0x7fffffff;

  @Test
  void equalsTheReferenceAndIsMonotoneOverEveryFloat() {
    TreeSet<Integer> keys = new TreeSet<>();
    for (float constant : comparisonConstants()) {
      addWithNeighbours(keys, key(constant));
    }
    for (int side = 0; side < 2; side++) {
      for (int bucket = 0; bucket <= DynamicCodeTable.BUCKETS; bucket++) {
        int magnitude = Math.min(DynamicCodeTable.LOW + (bucket << DynamicCodeTable.SHIFT), DynamicCodeTable.HIGH);
        addWithNeighbours(keys, key(Float.intBitsToFloat(side << 31 | magnitude)));
      }
    }
    for (float special : new float[] {0f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
      addWithNeighbours(keys, key(special));
      addWithNeighbours(keys, key(-special));
    }
    keys.removeIf(k -> k < key(Float.NEGATIVE_INFINITY) || k > key(Float.POSITIVE_INFINITY));

    float[] values = new float[keys.size()];
    int at = 0;
    for (int key : keys) {
      values[at++] = fromKey(key);
    }
    int[] expected = assertTableEqualsReference(values);
    int steps = 0;
    for (int i = 1; i < values.length; i++) {
      int here = i;
      assertTrue(expected[i] >= expected[i - 1], () -> "code() decreases at " + values[here]);
      steps += expected[i] != expected[i - 1] ? 1 : 0;
    }
    System.out.println("dynamic code: " + values.length + " floats checked, " + steps + " steps");
    assertEquals(0, expected[0], "code of -inf");
    assertEquals(255, expected[values.length - 1], "code of +inf");
    assertEquals(255, steps, "every code from 0 to 255 occurs");
  }

  @Test
  void equalsTheReferenceWithinFourThousandUlpsOfEveryStep() {
    List<Integer> steps = referenceStepKeys();
    assertEquals(255, steps.size(), "steps of the reference");
    for (int step : steps) {
      float[] values = new float[2 * 4096 + 1];
      for (int i = 0; i < values.length; i++) {
        values[i] = fromKey(step - 4096 + i);
      }
      assertTableEqualsReference(values);
    }
  }

  @Test
  void equalsTheReferenceOnRandomFloatsAroundMinusOneToOne() {
    SplittableRandom random = new SplittableRandom(20261123);
    int lowest = key(-1.01f);
    int highest = key(1.01f);
    float[] values = new float[1 << 20];
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < values.length; i++) {
        // half uniform over the bit patterns (every binade alike), half uniform over the values
        values[i] = i % 2 == 0 ? fromKey(random.nextInt(lowest, highest + 1)) : (float) random.nextDouble(-1.01, 1.01);
      }
      assertTableEqualsReference(values);
    }
  }

  @Test
  void everyNaNCodesZeroLikeTheReference() {
    SplittableRandom random = new SplittableRandom(7);
    List<Integer> nans = new ArrayList<>(List.of(0x7fc00000, 0x7f800001, 0x7fffffff, 0xffc00000, 0xff800001, 0xffffffff));
    for (int i = 0; i < 10_000; i++) {
      nans.add(random.nextInt(0x7f800001, MAGNITUDE) | (random.nextBoolean() ? 0x80000000 : 0));
    }
    float[] values = new float[nans.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(nans.get(i));
    }
    int[] codes = assertTableEqualsReference(values);
    for (int i = 0; i < values.length; i++) {
      assertEquals(0, codes[i], "reference code of NaN " + Integer.toHexString(nans.get(i)));
    }
  }

  /** Asserts that {@link DynamicCodeTable#codes} gives the reference's code for every value; returns those codes. */
  private static int[] assertTableEqualsReference(float[] values) {
    int lanes = IntVector.SPECIES_256.length();
    int[] bits = new int[(values.length + lanes - 1) / lanes * lanes];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    int[] vectorCodes = new int[bits.length];
    int[] indexes = new int[bits.length];
    for (int i = 0; i < bits.length; i += lanes) {
      DynamicCodeTable.codes(IntVector.fromArray(IntVector.SPECIES_256, bits, i), indexes, i).intoArray(vectorCodes, i);
    }
    int[] expected = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      expected[i] = DynamicMap.code(values[i]);
      if (expected[i] != vectorCodes[i]) {
        fail("code of " + values[i] + " (bits " + Integer.toHexString(bits[i]) + "): reference " + expected[i]
            + ", table " + vectorCodes[i]);
      }
    }
    return expected;
  }

  /** Every float code() compares with, and more: all of C ∪ {-1, 1} and all midpoints of two of them. */
  private static List<Float> comparisonConstants() {
    List<Float> operands = new ArrayList<>();
    for (float c : DynamicMap.values()) {
      operands.add(c);
    }
    operands.add(-1f);
    operands.add(1f);
    List<Float> constants = new ArrayList<>(operands);
    for (float a : operands) {
      for (float b : operands) {
        constants.add((a + b) * 0.5f);
      }
    }
    return constants;
  }

  /** Keys at which the reference's code differs from the key just below, found by bisection between sampled keys. */
  private static List<Integer> referenceStepKeys() {
    List<Integer> steps = new ArrayList<>();
    int from = key(Float.NEGATIVE_INFINITY);
    int to = key(Float.POSITIVE_INFINITY);
    collectSteps(from, to, steps);
    return steps;
  }

  private static void collectSteps(int from, int to, List<Integer> steps) {
    if (DynamicMap.code(fromKey(from)) == DynamicMap.code(fromKey(to))) {
      return; // no step: the reference is monotone (checked above)
    }
    if (to - from == 1) {
      steps.add(to);
      return;
    }
    int mid = (int) (((long) from + to) >> 1);
    collectSteps(from, mid, steps);
    collectSteps(mid, to, steps);
  }

  private static void addWithNeighbours(TreeSet<Integer> keys, int key) {
    keys.add(key - 1);
    keys.add(key);
    keys.add(key + 1);
  }

  /** A key that orders like the float: the bits for +0 and above, -1 - magnitude below (-0 is -1). */
  private static int key(float value) {
    int bits = Float.floatToRawIntBits(value);
    return bits >= 0 ? bits : -1 - (bits & MAGNITUDE);
  }

  private static float fromKey(int key) {
    return Float.intBitsToFloat(key >= 0 ? key : (-1 - key) | 0x80000000);
  }
}
