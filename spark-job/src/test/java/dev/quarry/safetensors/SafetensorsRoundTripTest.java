package dev.quarry.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quarry.testing.LocalFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
  @TempDir
  Path dir;

  private final FileSystem fs = LocalFiles.fs();

  @Test
  void writtenTensorsReadBackIdentically() throws IOException {
    List<TensorSpec> specs = List.of(
        new TensorSpec("z.big", Dtype.BF16, List.of(300L, 7L)),
        new TensorSpec("scalar", Dtype.U8, List.of()),
        new TensorSpec("empty", Dtype.F32, List.of(0L, 5L)),
        new TensorSpec("caf\u00e9.weight", Dtype.F32, List.of(3L)),
        new TensorSpec("a.ids", Dtype.I64, List.of(5L)),
        new TensorSpec("a.half", Dtype.F16, List.of(1L, 1L, 9L)));
    Random random = new Random(3);
    Map<String, byte[]> data = new LinkedHashMap<>();
    specs.forEach(s -> {
      byte[] b = new byte[(int) s.byteSize()];
      random.nextBytes(b);
      data.put(s.name(), b);
    });
    SafetensorsLayout layout = SafetensorsLayout.of(specs, SafetensorsLayout.PYTORCH_METADATA);
    Path file = dir.resolve("rt.safetensors");
    try (SafetensorsWriter w = new SafetensorsWriter(Files.newOutputStream(file), layout)) {
      for (TensorEntry t : layout.tensors()) {
        w.beginTensor(t.name());
        byte[] b = data.get(t.name());
        // in uneven pieces, as the quantizer streams them
        for (int off = 0; off < b.length; off += 97) {
          w.write(ByteBuffer.wrap(b, off, Math.min(97, b.length - off)));
        }
      }
      w.finish();
    }
    assertEquals(layout.fileLength(), Files.size(file));
    assertEquals(0, (8 + layout.headerBytes().length) % 8, "data starts 8-byte aligned");

    try (SafetensorsFile f = SafetensorsFile.open(fs, LocalFiles.hadoopPath(file))) {
      assertEquals(Map.of("format", "pt"), f.header().metadata());
      List<String> order = new ArrayList<>();
      f.header().tensors().forEach(t -> order.add(t.name()));
      // The crate's dtype order, descending (I64, F32, BF16, F16, U8), then by name
      assertEquals(List.of("a.ids", "caf\u00e9.weight", "empty", "z.big", "a.half", "scalar"), order);
      for (TensorSpec s : specs) {
        TensorEntry t = f.header().tensor(s.name());
        assertEquals(s.dtype(), t.dtype());
        assertEquals(s.shape(), t.shape());
        ByteBuffer whole = ByteBuffer.allocate((int) t.byteSize());
        f.read(t, 0, whole);
        assertArrayEquals(data.get(s.name()), whole.array(), s.name());
      }
      TensorEntry big = f.header().tensor("z.big");
      ByteBuffer middle = ByteBuffer.allocate(50);
      f.read(big, 1000, middle);
      assertArrayEquals(java.util.Arrays.copyOfRange(data.get("z.big"), 1000, 1050), middle.array());
      assertThrows(IllegalArgumentException.class, () -> f.read(big, big.byteSize() - 10, ByteBuffer.allocate(11)));
    }
  }

  @Test
  void writerRefusesWrongOrderAndWrongSizes() throws IOException {
    SafetensorsLayout layout = SafetensorsLayout.of(List.of(
        new TensorSpec("a", Dtype.F32, List.of(2L)), new TensorSpec("b", Dtype.U8, List.of(3L))), Map.of());
    try (SafetensorsWriter w = new SafetensorsWriter(Files.newOutputStream(dir.resolve("x")), layout)) {
      assertThrows(IllegalStateException.class, () -> w.beginTensor("b"));
      w.beginTensor("a");
      assertThrows(IllegalStateException.class, () -> w.write(new byte[9]));
      w.write(new byte[4]);
      assertThrows(IllegalStateException.class, () -> w.beginTensor("b"), "a is incomplete");
      w.write(new byte[4]);
      w.beginTensor("b");
      assertThrows(IllegalStateException.class, w::finish);
      w.write(new byte[3]);
      w.finish();
    }
  }

  @Test
  void duplicateOutputNamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> SafetensorsLayout.of(List.of(
        new TensorSpec("a", Dtype.F32, List.of(2L)), new TensorSpec("a", Dtype.U8, List.of(3L))), Map.of()));
  }
}
