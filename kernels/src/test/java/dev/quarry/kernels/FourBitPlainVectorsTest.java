package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every plain (no double quant) 4-bit case of the reference vectors, byte for byte. The quant_state
 * text is spark-job's (its QuantStateJsonTest holds it to every case).
 */
class FourBitPlainVectorsTest {

  static List<String> plainCases() {
    return ReferenceVectors.get().fourBitCases("plain");
  }

  @ParameterizedTest
  @MethodSource("plainCases")
  void packedCodesAndAbsmaxEqualTheGpu(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    c.assertQuantizesLikeTheGpu("absmax");
    assertEquals(List.of((c.elementCount() + 1) / 2, 1L), List.of(c.result("packed").shape()[0], c.result("packed").shape()[1]),
        "packed shape [ceil(n/2), 1]");
  }

  /** The codebook quarry writes as {@code quant_map} is the one bitsandbytes stores (state and code tensors). */
  @ParameterizedTest
  @MethodSource("plainCases")
  void codebookIsTheGpuQuantMap(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    FloatBits.assertBitsEqual(c.format().codebook(), ReferenceVectors.floats(c.result("state/quant_map")), "state/quant_map");
    FloatBits.assertBitsEqual(c.format().codebook(),
        ReferenceVectors.floats(ReferenceVectors.get().tensor("code/" + c.format().quantType())), "code/" + c.format().quantType());
  }

  @ParameterizedTest
  @MethodSource("plainCases")
  void dequantizedValuesEqualTheGpu(String prefix) {
    ReferenceCase.parse(prefix).assertDequantizesLikeTheGpu(ReferenceVectors.floats(ReferenceVectors.get().tensor(prefix + "/absmax")));
  }
}
