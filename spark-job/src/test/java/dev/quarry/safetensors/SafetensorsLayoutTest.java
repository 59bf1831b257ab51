package dev.quarry.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference files were written by the Rust safetensors crate (through save_pretrained and
 * safetensors.torch.save_file): laying out their tensors again must give the very same header.
 */
class SafetensorsLayoutTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "tiny-llama/input/model-00001-of-00005.safetensors", "tiny-llama/input/model-00003-of-00005.safetensors",
      "tiny-llama/hf-nf4/model.safetensors", "tiny-llama/hf-nf4-dq/model.safetensors",
      "tiny-llama/hf-fp4/model.safetensors", "tiny-llama/hf-fp4-dq/model.safetensors",
      "tiny-llama/hf-int8/model.safetensors", "tiny-llama/fabric-nf4-dq/state_dict.safetensors",
      "tiny-llama/fabric-int8/state_dict.safetensors", "tiny-llama/fabric-int8-training/state_dict.safetensors"})
  void layoutReproducesTheCratesHeaderByteForByte(String file) throws IOException {
    java.nio.file.Path path = ReferenceData.file(file);
    SafetensorsHeader header;
    try (SafetensorsFile f = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(path))) {
      header = f.header();
    }
    List<TensorSpec> specs = new ArrayList<>();
    // Reversed so that the layout, not the input order, decides the order.
    for (TensorEntry t : header.tensors()) {
      specs.add(0, new TensorSpec(t.name(), t.dtype(), t.shape()));
    }
    SafetensorsLayout layout = SafetensorsLayout.of(specs, header.metadata());
    byte[] expected = LocalFiles.rawHeader(path);
    assertEquals(new String(expected, StandardCharsets.UTF_8), new String(layout.headerBytes(), StandardCharsets.UTF_8));
    assertArrayEquals(expected, layout.headerBytes());
    assertEquals(header.tensors(), layout.tensors());
  }
}
