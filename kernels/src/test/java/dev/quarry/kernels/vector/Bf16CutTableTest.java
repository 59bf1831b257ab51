package dev.quarry.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.FourBitCuts;
import dev.quarry.kernels.FourBitFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The table of cut keys indexed by the absmax mantissa alone gives, for every bfloat16 fast-path
 * absmax, the cut keys {@link CutKeys} computes for that absmax (which the property tests hold to
 * the scalar reference): so the exponent invariance the table rests on holds over the whole fast range.
 */
class Bf16CutTableTest {

  @ParameterizedTest
  @EnumSource(FourBitFormat.class)
  void rowsGiveTheCutKeysOfEveryFastAbsmax(FourBitFormat format) {
    CutKeys cutKeys = new CutKeys(format, HalfType.BF16);
    FourBitCuts cuts = FourBitCuts.of(format);
    int signCut = cuts.signCutIndex();
    int[] codeOfCount = cuts.codeOfCount();
    int[] expected = new int[FourBitCuts.COUNT];
    int fast = 0;
    for (int magnitude = 0; magnitude < 0x8000; magnitude++) {
      if (!HalfType.BF16.isFast(magnitude)) {
        continue;
      }
      fast++;
      cutKeys.compute(magnitude, expected, 0);
      int row = Bf16CutTable.row(format, magnitude);
      int floor = Bf16CutTable.floor(format, magnitude);
      assertTrue(magnitude - floor <= Bf16CutTable.MAX_DEPTH, "depth below absmax " + magnitude);
      for (int j = 0; j < expected.length; j++) {
        String where = format + ", absmax magnitude " + magnitude + ", cut " + j;
        if (j == signCut) {
          assertEquals(-1 - expected[j], Bf16CutTable.signMagnitude(magnitude), where);
          continue;
        }
        short entry = Bf16CutTable.CUTS[row + 16 * j];
        int relative = entry >> 4;
        int cutMagnitude = (relative >= 0 ? relative : -1 - relative) + floor;
        assertTrue(cutMagnitude > floor, "cut above the floor, " + where);
        assertEquals(expected[j], relative >= 0 ? cutMagnitude : -1 - cutMagnitude, where);
        assertEquals(j % 2 == 0 ? codeOfCount[j] : 0, entry & 15, "code bits, " + where);
        for (int lane = 1; lane < 16; lane++) {
          assertEquals(entry, Bf16CutTable.CUTS[row + 16 * j + lane], "spread, " + where);
        }
        assertEquals(entry, Bf16CutTable.LANES[row / 16 + j], "lane of the row vector, " + where);
      }
      assertEquals(Short.MAX_VALUE, Bf16CutTable.LANES[row / 16 + FourBitCuts.COUNT], "unused lane, " + format);
    }
    assertTrue(fast > 25000, "fast magnitudes: " + fast);
  }
}
