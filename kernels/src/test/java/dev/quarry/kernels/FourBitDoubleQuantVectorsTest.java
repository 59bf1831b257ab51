package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every double-quantized 4-bit case of the reference vectors ({@code bnb-exact.md} §3). The quant_state
 * text is spark-job's (its QuantStateJsonTest holds it to every case).
 */
class FourBitDoubleQuantVectorsTest {
  /**
   * bnb-exact.md §3 says 38 of 54: it counts huge_f32's two cases as different, where the GPU's
   * float32 sum overflows to inf. ExactSum.mean reproduces that overflow, so 40 are equal.
   */
  private static final int OFFSETS_EQUAL_TO_THE_GPU = 40;

  static List<String> dqCases() {
    return ReferenceVectors.get().fourBitCases("dq");
  }

  @ParameterizedTest
  @MethodSource("dqCases")
  void packedCodesComeFromTheExactAbsmax(String prefix) {
    ReferenceCase.parse(prefix).assertQuantizesLikeTheGpu("absmax_fp32_exact");
  }

  @ParameterizedTest
  @MethodSource("dqCases")
  void nestedQuantizationWithTheGpuOffsetEqualsTheGpu(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    float gpuOffset = ReferenceVectors.floats(c.result("offset"))[0];
    // the kernels picked here (the vector ones in the test JVM) and the scalar reference
    for (KernelSupport kernels : List.of(Kernels.get(), Kernels.scalar())) {
      NestedResult nested = NestedResult.of(kernels, ReferenceVectors.floats(c.result("absmax_fp32_exact")), gpuOffset);
      String where = prefix + " (" + kernels.name() + ")";
      assertArrayEquals(ReferenceVectors.bytes(c.result("absmax")), nested.codes, where + "/absmax (uint8 codes)");
      FloatBits.assertBitsEqual(ReferenceVectors.floats(c.result("nested_absmax")), nested.nestedAbsmax, where + "/nested_absmax");
    }
  }

  @ParameterizedTest
  @MethodSource("dqCases")
  void ownOffsetIsTheGpuOffsetOrOneUlpAwayAndChangesNoMore(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    float gpuOffset = ReferenceVectors.floats(c.result("offset"))[0];
    float offset = c.quantize().absmaxSum().mean(c.blocks());
    long offsetUlps = FloatBits.ulps(gpuOffset, offset);
    assertTrue(offsetUlps <= 1, () -> prefix + ": offset " + offset + " vs GPU " + gpuOffset);
    NestedResult nested = NestedResult.of(Kernels.get(), ReferenceVectors.floats(c.result("absmax_fp32_exact")), offset);
    byte[] gpuCodes = ReferenceVectors.bytes(c.result("absmax"));
    float[] gpuNested = ReferenceVectors.floats(c.result("nested_absmax"));
    // Shifting the offset by one ulp shifts every d = absmax - offset by that absolute amount, so a
    // nested absmax (smaller than the offset) moves by up to one ulp of the offset (measured: up to
    // 128 of its own ulps), and a code moves to its neighbour where d crosses a midpoint (measured:
    // 1 code of 512 in two uniform_f32 cases).
    for (int b = 0; b < gpuNested.length; b++) {
      float allowed = offsetUlps == 0 ? 0f : Math.ulp(gpuOffset) + Math.ulp(gpuNested[b]);
      float nestedDifference = Math.abs(gpuNested[b] - nested.nestedAbsmax[b]);
      assertTrue(nestedDifference <= allowed || Float.floatToRawIntBits(gpuNested[b]) == Float.floatToRawIntBits(nested.nestedAbsmax[b]),
          prefix + ": nested_absmax[" + b + "] " + nested.nestedAbsmax[b] + " vs GPU " + gpuNested[b]);
    }
    for (int i = 0; i < gpuCodes.length; i++) {
      int difference = Math.abs((gpuCodes[i] & 0xff) - (nested.codes[i] & 0xff));
      assertTrue(difference <= offsetUlps, prefix + ": code " + i + " differs by " + difference);
    }
  }

  @Test
  void exactMeanEqualsTheGpuOffsetInTheDocumentedNumberOfCases() {
    int equal = 0;
    List<String> cases = dqCases();
    for (String prefix : cases) {
      ReferenceCase c = ReferenceCase.parse(prefix);
      float gpuOffset = ReferenceVectors.floats(c.result("offset"))[0];
      equal += Float.floatToRawIntBits(gpuOffset) == Float.floatToRawIntBits(c.quantize().absmaxSum().mean(c.blocks())) ? 1 : 0;
    }
    System.out.println("double-quant offsets equal to the GPU's: " + equal + " of " + cases.size());
    assertEquals(54, cases.size(), "double-quant vector cases");
    assertEquals(OFFSETS_EQUAL_TO_THE_GPU, equal, "offsets equal to the GPU's");
  }

  /** The maps quarry writes ({@code quant_map}, {@code nested_quant_map}) are the ones bitsandbytes stores. */
  @ParameterizedTest
  @MethodSource("dqCases")
  void codebookAndDynamicMapAreTheGpuMaps(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    float[] dynamic = DynamicMap.values();
    FloatBits.assertBitsEqual(dynamic, ReferenceVectors.floats(ReferenceVectors.get().tensor("code/dynamic")), "code/dynamic");
    FloatBits.assertBitsEqual(dynamic, ReferenceVectors.floats(c.result("nested_code")), "nested_code");
    FloatBits.assertBitsEqual(dynamic, ReferenceVectors.floats(c.result("state/nested_quant_map")), "state/nested_quant_map");
    FloatBits.assertBitsEqual(c.format().codebook(), ReferenceVectors.floats(c.result("state/quant_map")), "state/quant_map");
  }

  @ParameterizedTest
  @MethodSource("dqCases")
  void dequantizedValuesEqualTheGpu(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    byte[] codes = ReferenceVectors.bytes(c.result("absmax"));
    float[] absmax = new float[codes.length];
    Dequantizer.nestedAbsmax(codes, 0, codes.length, ReferenceVectors.floats(c.result("nested_absmax")), 0,
        ReferenceVectors.floats(c.result("offset"))[0], absmax, 0);
    c.assertDequantizesLikeTheGpu(absmax);
  }
}
