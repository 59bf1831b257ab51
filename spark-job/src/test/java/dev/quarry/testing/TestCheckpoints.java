package dev.quarry.testing;

import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.SafetensorsWriter;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small safetensors files written for a test, from in-memory tensors. */
public final class TestCheckpoints {
  private TestCheckpoints() {}

  /** A tensor and its little-endian bytes. */
  public record Tensor(TensorSpec spec, byte[] data) {}

  public static void write(Path file, List<Tensor> tensors) throws IOException {
    List<TensorSpec> specs = new ArrayList<>();
    tensors.forEach(t -> specs.add(t.spec()));
    SafetensorsLayout layout = SafetensorsLayout.of(specs, SafetensorsLayout.PYTORCH_METADATA);
    try (SafetensorsWriter w = new SafetensorsWriter(Files.newOutputStream(file), layout)) {
      for (TensorEntry e : layout.tensors()) {
        w.beginTensor(e.name());
        w.write(tensors.stream().filter(t -> t.spec().name().equals(e.name())).findFirst().orElseThrow().data());
      }
      w.finish();
    }
  }

  /** Writes one tensor per entry. */
  public static void write(Path file, Map<TensorSpec, byte[]> tensors) throws IOException {
    List<Tensor> list = new ArrayList<>();
    tensors.forEach((spec, data) -> list.add(new Tensor(spec, data)));
    write(file, list);
  }
}
