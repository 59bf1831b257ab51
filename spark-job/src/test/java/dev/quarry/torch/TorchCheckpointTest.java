package dev.quarry.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.InputShard;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.safetensors.CheckpointFormatException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.testing.HostilePickles;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.PickleBytes;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.TensorFiles;
import dev.quarry.testing.TorchZips;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PyTorch checkpoint reader: the reference cases (torch 1.13's own files) read as the same
 * tensors as the safetensors model they were saved from, byte for byte through their ranges; the
 * variations newer torch versions write; and every hostile pickle of the catalogue refused.
 */
class TorchCheckpointTest {
  @TempDir
  Path dir;

  private static Path source(String name) {
    return ReferenceData.file("sources/bin/" + name + "/config.json").getParent();
  }

  private static InputModel read(Path p) throws IOException {
    return ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(p));
  }

  private static TorchCheckpoint checkpoint(Path p) throws IOException {
    return TorchCheckpoint.read(LocalFiles.fs(), LocalFiles.hadoopPath(p));
  }

  /** Every tensor's bytes as the safetensors reference model holds them (row-major). */
  private static Map<String, byte[]> referenceTensors() throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    for (int i = 1; i <= 5; i++) {
      try (TensorFiles f = new TensorFiles(ReferenceData.tinyLlamaShard(i))) {
        for (TensorEntry t : f.file().header().tensors()) {
          out.put(t.name(), f.bytes(t.name()));
        }
      }
    }
    return out;
  }

  /** A tensor's bytes read through its range, a column-major one transposed back to row-major. */
  private static byte[] rowMajorBytes(InputShard shard, TensorEntry t) throws IOException {
    byte[] stored = new byte[Math.toIntExact(t.byteSize())];
    try (RandomAccessFile f = new RandomAccessFile(Path.of(java.net.URI.create(shard.path())).toFile(), "r")) {
      f.seek(shard.dataStart() + t.begin());
      f.readFully(stored);
    }
    if (!t.columnMajor()) {
      return stored;
    }
    int rows = Math.toIntExact(t.shape().get(0));
    int cols = Math.toIntExact(t.shape().get(1));
    int e = t.dtype().byteSize();
    byte[] out = new byte[stored.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        System.arraycopy(stored, (j * rows + i) * e, out, (i * cols + j) * e, e);
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama-sharded", "tiny-llama-views", "tiny-llama-views-strided"})
  void referenceCasesHoldTheSafetensorsModelsTensors(String name) throws IOException {
    InputModel model = read(source(name));
    Map<String, byte[]> expected = referenceTensors();
    InputModel safetensors = read(ReferenceData.file("tiny-llama/input/config.json").getParent());
    Map<String, TensorEntry> reference = new HashMap<>();
    safetensors.shards().forEach(s -> s.tensors().forEach(t -> reference.put(t.name(), t)));
    assertEquals(name.equals("tiny-llama-sharded") ? 5 : 1, model.shards().size());
    assertEquals(21, model.tensorCount());
    assertEquals("llama", model.modelType());
    assertEquals(List.of("generation_config.json"), model.otherFiles().stream().map(p -> p.getName()).toList(),
        "the .bin files and their index are not copied");
    for (InputShard shard : model.shards()) {
      for (TensorEntry t : shard.tensors()) {
        assertEquals(reference.get(t.name()).dtype(), t.dtype(), t.name());
        assertEquals(reference.get(t.name()).shape(), t.shape(), t.name());
        assertArrayEquals(expected.get(t.name()), rowMajorBytes(shard, t), t.name());
        assertEquals(name.endsWith("strided") && t.name().equals("model.layers.0.mlp.down_proj.weight"),
            t.columnMajor(), t.name());
      }
    }
  }

  @Test
  void viewsOfOneStorageGetTheirOwnRanges() throws IOException {
    TorchCheckpoint c = checkpoint(source("tiny-llama-views").resolve("pytorch_model.bin"));
    Map<String, TensorEntry> byName = new HashMap<>();
    c.tensors().forEach(t -> byName.put(t.name(), t));
    TensorEntry q = byName.get("model.layers.0.self_attn.q_proj.weight");
    TensorEntry k = byName.get("model.layers.0.self_attn.k_proj.weight");
    assertEquals(65536L * 2, k.begin() - q.begin(), "k_proj 65536 elements into q_proj's storage");
    assertEquals(List.of(128L, 256L), k.shape());
  }

  /** torch 2 names the folder archive/ when saving to a stream and adds byteorder and serialization_id records. */
  @Test
  void readsTheRecordsNewerTorchWrites() throws IOException {
    Path original = source("tiny-llama-views").resolve("pytorch_model.bin");
    Map<String, byte[]> records = new LinkedHashMap<>();
    Map<String, byte[]> old = TorchZips.records(original);
    records.put("data.pkl", old.remove("data.pkl"));
    records.put("byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    records.putAll(old);
    records.put(".data/serialization_id", "1234567890".getBytes(StandardCharsets.US_ASCII));
    records.put(".data/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    Path rewritten = dir.resolve("pytorch_model.bin");
    TorchZips.write(rewritten, "archive", records);
    List<TensorEntry> a = checkpoint(original).tensors();
    List<TensorEntry> b = checkpoint(rewritten).tensors();
    assertEquals(a.stream().map(t -> List.of(t.name(), t.dtype(), t.shape(), t.byteSize())).toList(),
        b.stream().map(t -> List.of(t.name(), t.dtype(), t.shape(), t.byteSize())).toList());
  }

  /** Protocol 4 (FRAME, STACK_GLOBAL, MEMOIZE, short strings), a Parameter, and a state dict's _metadata. */
  @Test
  void readsProtocol4ParametersAndStateDictMetadata() throws IOException {
    PickleBytes p = new PickleBytes().op(0x80, 4, 0x95).raw(new byte[8])
        .global("collections", "OrderedDict").op(0x94, ')', 'R', 0x94).mark()
        .op(0x8c, 1).raw("w".getBytes(StandardCharsets.US_ASCII))
        .op(0x8c, 12).raw("torch._utils".getBytes(StandardCharsets.US_ASCII))
        .op(0x8c, 18).raw("_rebuild_parameter".getBytes(StandardCharsets.US_ASCII)).op(0x93, 0x94)
        .tensor("HalfStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1}).bool(true).emptyOrderedDict().op(0x87, 'R')
        .op('u').op('}').str("_metadata").emptyOrderedDict().op('s', 'b').stop();
    Map<String, byte[]> records = new LinkedHashMap<>();
    records.put("data.pkl", p.bytes());
    records.put("data/0", new byte[12]);
    Path file = dir.resolve("model.pt");
    TorchZips.write(file, "model", records);
    TensorEntry t = checkpoint(file).tensors().get(0);
    assertEquals("w", t.name());
    assertEquals(Dtype.F16, t.dtype());
    assertEquals(List.of(2L, 3L), t.shape());
    assertEquals(12, t.byteSize());
    assertFalse(t.columnMajor());
  }

  static Stream<HostilePickles.Case> hostile() {
    return HostilePickles.cases("/tmp/quarry-never-created").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refusesHostileAndMalformedCheckpoints(HostilePickles.Case c) throws IOException {
    Path file = dir.resolve("pytorch_model.bin");
    Files.write(file, c.zip());
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> checkpoint(file));
    assertEquals(LocalFiles.hadoopPath(file).toString(), e.file());
    if (c.tensor() == null) {
      assertNull(e.tensor(), e.getMessage());
    } else {
      assertEquals(c.tensor(), e.tensor(), e.getMessage());
    }
    assertTrue(e.problem().contains(c.phrase()), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void refusesTheLegacyFormatTruncatedAndOtherFiles() throws IOException {
    Path legacy = dir.resolve("legacy.bin");
    Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20});
    assertTrue(assertThrows(CheckpointFormatException.class, () -> checkpoint(legacy)).problem()
        .contains("legacy format of torch before 1.6"));
    Path truncated = dir.resolve("truncated.bin");
    byte[] whole = TorchZips.zip("archive", TorchZips.oneTensor("w"));
    Files.write(truncated, Arrays.copyOf(whole, whole.length - 30));
    assertTrue(assertThrows(CheckpointFormatException.class, () -> checkpoint(truncated)).problem()
        .contains("a truncated or damaged zip file"));
    Path text = dir.resolve("text.bin");
    Files.writeString(text, "not a checkpoint");
    assertTrue(assertThrows(CheckpointFormatException.class, () -> checkpoint(text)).problem().contains("not a zip file"));
  }

  /** More than 65,535 records: the zip64 end records, which torch writes for large checkpoints too. */
  @Test
  void readsZip64Directories() throws IOException {
    Map<String, byte[]> records = new LinkedHashMap<>(TorchZips.oneTensor("w"));
    for (int i = 0; i < 70_000; i++) {
      records.put("extra/" + i, new byte[0]);
    }
    Path file = dir.resolve("many.bin");
    TorchZips.write(file, "archive", records);
    assertEquals(List.of("w"), checkpoint(file).tensors().stream().map(TensorEntry::name).toList());
  }
}
