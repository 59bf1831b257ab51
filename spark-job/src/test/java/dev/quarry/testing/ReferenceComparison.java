package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares quarry's output files with a reference state dict (transformers' or Fabric's), tensor
 * for tensor: names, dtypes, shapes and bytes. With double quantization the one allowed difference
 * is bnb-exact.md §3: where the exact mean of the absmax differs from the GPU's float32 reduction by
 * one ulp, nested_offset and nested_absmax may move by that ulp; the absmax codes (which §3 lets
 * differ at exact ties) stay equal in this data. Counts the double-quantized weights and how many
 * of their offsets equal the GPU's.
 */
public final class ReferenceComparison {
  private final QuantMode mode;
  private int weights;
  private int equalOffsets;

  public ReferenceComparison(QuantMode mode) {
    this.mode = mode;
  }

  public int weights() {
    return weights;
  }

  public int equalOffsets() {
    return equalOffsets;
  }

  /**
   * Compares the output files with the reference file, which must hold exactly the tensors compared
   * (no more, no fewer).
   */
  public void compareAll(List<Path> outputs, Path referenceFile) throws IOException {
    try (TensorFiles reference = new TensorFiles(referenceFile)) {
      Set<String> names = new HashSet<>();
      reference.file().header().tensors().stream().map(TensorEntry::name).forEach(names::add);
      assertEquals(names, compare(outputs, reference));
    }
  }

  /**
   * Compares every output tensor that the reference also holds (lm_head.weight only where quarry
   * and the reference agree on its dtype), and returns the names compared.
   */
  public Set<String> compare(List<Path> outputs, TensorFiles reference) throws IOException {
    Set<String> compared = new HashSet<>();
    for (Path out : outputs) {
      try (TensorFiles ours = new TensorFiles(out)) {
        for (TensorEntry t : ours.file().header().tensors()) {
          TensorEntry expected = reference.entry(t.name());
          if (t.name().equals("lm_head.weight") && expected != null && expected.dtype() != t.dtype()) {
            continue; // Fabric quantized its head, quarry copied it
          }
          assertTrue(expected != null, "reference has no tensor " + t.name());
          assertTrue(compared.add(t.name()), "tensor " + t.name() + " produced twice");
          assertEquals(expected.dtype(), t.dtype(), t.name());
          // a quant_state text whose offset moved by its ulp may be a digit longer or shorter
          if (!(mode.doubleQuant() && t.name().contains(".quant_state."))) {
            assertEquals(expected.shape(), t.shape(), t.name());
          }
          if (mode.doubleQuant() && isDoubleQuantState(t.name())) {
            continue; // compared per weight below
          }
          assertArrayEquals(reference.bytes(t.name()), ours.bytes(t.name()), t.name());
        }
        if (mode.doubleQuant()) {
          compareWeights(ours, reference);
        }
      }
    }
    return compared;
  }

  private static boolean isDoubleQuantState(String name) {
    return name.endsWith(".absmax") || name.endsWith(".nested_absmax") || name.contains(".quant_state.");
  }

  /** The §3 comparison of the double-quant state of each weight. */
  private void compareWeights(TensorFiles ours, TensorFiles reference) throws IOException {
    String stateSuffix = ".quant_state.bitsandbytes__" + mode.fourBitFormat().quantType();
    for (TensorEntry t : ours.file().header().tensors()) {
      if (!t.name().endsWith(stateSuffix)) {
        continue;
      }
      String weight = t.name().substring(0, t.name().length() - stateSuffix.length());
      weights++;
      JsonNode ourState = new ObjectMapper().readTree(ours.bytes(t.name()));
      JsonNode refState = new ObjectMapper().readTree(reference.bytes(t.name()));
      float ourOffset = Float.parseFloat(ourState.get("nested_offset").asText());
      float refOffset = Float.parseFloat(refState.get("nested_offset").asText());
      if (ourOffset == refOffset) {
        equalOffsets++;
        assertArrayEquals(reference.bytes(t.name()), ours.bytes(t.name()), t.name());
        assertArrayEquals(reference.bytes(weight + ".absmax"), ours.bytes(weight + ".absmax"), weight);
        assertArrayEquals(reference.bytes(weight + ".nested_absmax"), ours.bytes(weight + ".nested_absmax"), weight);
        continue;
      }
      assertEquals(1, Math.abs(Float.floatToIntBits(ourOffset) - Float.floatToIntBits(refOffset)),
          weight + ": offsets " + ourOffset + " and " + refOffset + " differ by more than one ulp");
      String withRefOffset = new String(ours.bytes(t.name()), StandardCharsets.UTF_8)
          .replace(ourState.get("nested_offset").asText(), refState.get("nested_offset").asText());
      assertEquals(new String(reference.bytes(t.name()), StandardCharsets.UTF_8), withRefOffset, t.name());
      float[] ourNested = ours.floats(weight + ".nested_absmax");
      float[] refNested = reference.floats(weight + ".nested_absmax");
      // nested_absmax = max |absmax - offset|: it moves by at most what the offset moved (one ulp
      // of the offset, which can be two ulps of a smaller nested_absmax)
      float offsetStep = Math.abs(ourOffset - refOffset);
      for (int i = 0; i < ourNested.length; i++) {
        float mine = ourNested[i];
        float ref = refNested[i];
        assertTrue(Math.abs(mine - ref) <= offsetStep,
            () -> weight + ".nested_absmax: " + mine + " vs " + ref + ", offset step " + offsetStep);
      }
      // §3 lets absmax codes differ at exact ties; in this data none lands on a tie.
      assertArrayEquals(reference.bytes(weight + ".absmax"), ours.bytes(weight + ".absmax"), weight + ".absmax");
    }
  }
}
