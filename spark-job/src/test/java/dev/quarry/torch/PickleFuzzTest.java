package dev.quarry.torch;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.testing.FuzzRun;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.PickleBytes;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SeededMutator;
import dev.quarry.testing.TorchZips;
import dev.quarry.testing.VirtualFileStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the PyTorch checkpoint reader as {@code HeaderFuzzTest} fuzzes the safetensors one: seeded
 * mutations of valid pickles (torch 1.13's of the reference cases, and hand-made protocol-2 and
 * protocol-4 ones), one in three with a hostile opcode sequence spliced in, unpickled and described
 * over their checkpoint's zip records; and mutations of whole small zip files. Each must read or end
 * in a {@link CheckpointException}, never another exception, a hang or an exhausted heap.
 */
class PickleFuzzTest {
  private static final int PICKLES = 100_000;
  private static final int ZIPS = 20_000;

  /** Opcode sequences a hostile pickle would use: globals, calls, huge lengths, memo and MARK abuse. */
  private static final byte[][] HOSTILE = {
      PickleBytes.protocol2().global("os", "system").bytes(), "c__builtin__\neval\n".getBytes(StandardCharsets.US_ASCII),
      {(byte) 0x8c, 5, 'p', 'o', 's', 'i', 'x', (byte) 0x8c, 6, 's', 'y', 's', 't', 'e', 'm', (byte) 0x93},
      {'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, {(byte) 0x8d, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80},
      {(byte) 0x8b, 0, 0, 0, 0x7f}, {'j', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, {'h', 0}, {'q', 0},
      {']', 'q', 1, 'h', 1, 'a'}, {'(', '(', '(', '(', '(', '('}, {'R'}, {'b'}, {'Q'}, {')'}, {'}'}, {'t'}, {'u'},
      {'s'}, {'0'}, {'1'}, {'.'}, {(byte) 0x81}, {(byte) 0x94}, {(byte) 0x95, 1, 0, 0, 0, 0, 0, 0, 0},
      {(byte) 0x8a, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {'P', 'x', '\n'}, {'I', '0', '1', '\n'}, {'F', 'n', 'a', 'n', '\n'}};

  /** A pickle and the zip records of its checkpoint, against which its tensors are placed. */
  private record Seed(String folder, byte[] pickle, Map<String, ZipRecord> records) {}

  private static Map<String, ZipRecord> records(byte[] zip) throws IOException {
    return ZipDirectory.read("fuzz.bin", VirtualFileStream.of(zip), zip.length);
  }

  private static byte[] protocol4() {
    return new PickleBytes().op(0x80, 4, 0x95).raw(new byte[8]).global("collections", "OrderedDict").op(0x94, ')', 'R',
        0x94).mark().op(0x8c, 1).raw("w".getBytes(StandardCharsets.US_ASCII)).op(0x8c, 12)
        .raw("torch._utils".getBytes(StandardCharsets.US_ASCII)).op(0x8c, 18)
        .raw("_rebuild_parameter".getBytes(StandardCharsets.US_ASCII)).op(0x93, 0x94)
        .tensor("FloatStorage", "0", 256, 64, new long[] {3, 64}, new long[] {64, 1}).bool(true).emptyOrderedDict()
        .op(0x87, 'R').op('u').op('}').str("_metadata").emptyOrderedDict().op('s', 'b').stop().bytes();
  }

  @Test
  void everyMutatedPickleReadsOrIsACheckpointError() throws IOException {
    List<Seed> seeds = new ArrayList<>();
    for (String source : List.of("tiny-llama-views", "tiny-llama-views-strided")) {
      Path file = ReferenceData.file("sources/bin/" + source + "/pytorch_model.bin");
      try (FSDataInputStream in = LocalFiles.fs().open(LocalFiles.hadoopPath(file))) {
        seeds.add(new Seed("pytorch_model/", TorchZips.records(file).get("data.pkl"),
            ZipDirectory.read("fuzz.bin", in, Files.size(file))));
      }
    }
    Map<String, byte[]> small = TorchZips.oneTensor("w");
    seeds.add(new Seed("archive/", small.get("data.pkl"), records(TorchZips.zip("archive", small))));
    seeds.add(new Seed("archive/", protocol4(), records(TorchZips.zip("archive", small))));
    SeededMutator m = new SeededMutator(20261207L);
    FuzzRun.run(PICKLES, Duration.ofSeconds(120), CheckpointException.class, i -> {
      Seed seed = seeds.get(m.random().nextInt(seeds.size()));
      byte[] pickle = m.mutate(seed.pickle());
      if (m.random().nextInt(3) == 0) {
        pickle = splice(pickle, m.random().nextInt(pickle.length + 1), HOSTILE[m.random().nextInt(HOSTILE.length)]);
      }
      byte[] input = pickle;
      return new FuzzRun.Input("pickle base64 " + Base64.getEncoder().encodeToString(input), () -> {
        ZipRecord record = seed.records().get(seed.folder() + "data.pkl");
        TorchCheckpoint.describe("fuzz.bin", seed.folder(), seed.records(),
            RestrictedUnpickler.load("fuzz.bin", record.name(), input), record);
      });
    });
  }

  @Test
  void everyMutatedZipReadsOrIsACheckpointError() {
    Map<String, byte[]> newer = new LinkedHashMap<>(TorchZips.oneTensor("w"));
    newer.put("byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    newer.put(".data/serialization_id", "0123456789".getBytes(StandardCharsets.US_ASCII));
    List<byte[]> seeds = List.of(TorchZips.zip("archive", TorchZips.oneTensor("w")), TorchZips.zip("model", newer));
    SeededMutator m = new SeededMutator(20261208L);
    FuzzRun.run(ZIPS, Duration.ofSeconds(120), CheckpointException.class, i -> {
      byte[] zip = m.mutate(seeds.get(m.random().nextInt(seeds.size())));
      return new FuzzRun.Input("zip base64 " + Base64.getEncoder().encodeToString(zip),
          () -> TorchCheckpoint.read("fuzz.bin", VirtualFileStream.of(zip), zip.length));
    });
  }

  private static byte[] splice(byte[] b, int at, byte[] what) {
    byte[] r = new byte[b.length + what.length];
    System.arraycopy(b, 0, r, 0, at);
    System.arraycopy(what, 0, r, at, what.length);
    System.arraycopy(b, at, r, at + what.length, b.length - at);
    return r;
  }
}
