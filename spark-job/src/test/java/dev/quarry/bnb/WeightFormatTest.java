package dev.quarry.bnb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The format's one definition against what transformers saved ({@code reference/tiny-llama/hf-<mode>}):
 * every quantized weight there is recognised by the reader ({@link BnbNames}, {@link QuantStateJson#read}),
 * and what {@link WeightFormat} says the mode writes for it — the tensor names, dtypes and shapes, and
 * the bytes of its constants (codebooks, the quant_state text, weight_format) — is exactly what the
 * reference holds, with no tensor more or less.
 */
class WeightFormatTest {
  @ParameterizedTest
  @ValueSource(strings = {"nf4", "nf4-dq", "fp4", "fp4-dq", "int8"})
  void everyQuantizedWeightOfTransformersOutputIsWhatTheFormatSays(String mode) throws IOException {
    var path = ReferenceData.file("tiny-llama/hf-" + mode + "/model.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(path))) {
      // every companion tensor of the reference must belong to a weight the reader recognised
      Set<String> companions = new TreeSet<>();
      for (TensorEntry t : f.header().tensors()) {
        if (t.name().matches(".*\\.(absmax|quant_map|nested_absmax|nested_quant_map|SCB|weight_format)|.*\\.quant_state\\..*")) {
          companions.add(t.name());
        }
      }
      int weights = 0;
      for (TensorEntry t : f.header().tensors()) {
        List<FormatTensor> expected = expected(f, t, QuantMode.fromCliName(mode));
        if (expected == null) {
          continue;
        }
        weights++;
        for (FormatTensor e : expected) {
          TensorEntry actual = f.header().tensor(e.name());
          assertNotNull(actual, e.name() + " is in the reference");
          assertEquals(actual.dtype(), e.dtype(), e.name());
          assertEquals(actual.shape(), e.shape(), e.name());
          if (e.content() == FormatTensor.Content.CONSTANT) {
            assertArrayEquals(bytes(f, actual), e.constant(), e.name());
          }
          companions.remove(e.name());
        }
      }
      assertTrue(weights > 0, "the reference holds quantized weights");
      assertEquals(Set.of(), companions, "companion tensors the format does not name");
    }
  }

  /** What the format says a quantized weight of the reference becomes, or null for any other tensor. */
  private static List<FormatTensor> expected(SafetensorsFile f, TensorEntry t, QuantMode mode) throws IOException {
    String weight = BnbNames.fourBitWeightOf(t.name());
    if (weight != null) {
      QuantStateJson.State state = QuantStateJson.read(bytes(f, t), f.name(), t.name());
      assertEquals(mode.fourBitFormat().quantType(), state.quantType());
      assertEquals(mode.doubleQuant(), state.nested());
      return WeightFormat.fourBit(weight, mode, state.blocksize(), QuantStorage.UINT8, state.dtype(), state.shape(),
          state.nestedOffset());
    }
    if (!mode.isFourBit() && t.name().endsWith(".SCB")) {
      String module = t.name().substring(0, t.name().length() - ".SCB".length());
      TensorEntry w = f.header().tensor(module + ".weight");
      assertEquals(BnbNames.scb(BnbNames.module(w.name())), t.name());
      return WeightFormat.int8(w.name(), w.shape());
    }
    return null;
  }

  private static byte[] bytes(SafetensorsFile f, TensorEntry t) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteSize()));
    f.read(t, 0, b);
    return b.array();
  }
}
