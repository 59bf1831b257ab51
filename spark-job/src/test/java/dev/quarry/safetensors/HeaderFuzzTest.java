package dev.quarry.safetensors;

import dev.quarry.testing.FuzzRun;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SeededMutator;
import dev.quarry.testing.VirtualFileStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the safetensors header reader (length prefix, JSON header, entries, offsets against the
 * file length) with 100,000 seeded mutations of valid headers: the reference model's five shards
 * and a small hand-made one. Each must parse or end in a {@link CheckpointException}. One input in
 * ten also gets a hostile length prefix, one in ten a data section of another length.
 */
class HeaderFuzzTest {
  private static final int INPUTS = 100_000;

  /** A header and the length of the data section behind it. */
  private record Seed(byte[] header, long dataLength) {}

  @Test
  void everyMutatedHeaderParsesOrIsACheckpointError() throws IOException {
    List<Seed> seeds = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      Path shard = ReferenceData.tinyLlamaShard(i);
      byte[] header = LocalFiles.rawHeader(shard);
      seeds.add(new Seed(header, Files.size(shard) - 8 - header.length));
    }
    seeds.add(new Seed(("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3],"
        + "\"data_offsets\":[0,12]},\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]},"
        + "\"c\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[16,16]}}").getBytes(StandardCharsets.UTF_8), 16));
    SeededMutator m = new SeededMutator(20261123L);
    FuzzRun.run(INPUTS, Duration.ofSeconds(120), CheckpointException.class, i -> {
      Seed seed = seeds.get(m.random().nextInt(seeds.size()));
      byte[] header = m.mutate(seed.header());
      long prefix = m.random().nextInt(10) == 0 ? hostileLength(m, header.length) : header.length;
      long data = m.random().nextInt(10) == 0 ? Math.max(0, seed.dataLength() + m.random().nextInt(33) - 16)
          : seed.dataLength();
      byte[] head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(prefix).put(header).array();
      long fileLength = 8 + header.length + data;
      return new FuzzRun.Input("length prefix " + prefix + ", file " + fileLength + " bytes, header base64 "
          + Base64.getEncoder().encodeToString(header),
          () -> SafetensorsFile.readHeader("fuzz.safetensors", new FSDataInputStream(new VirtualFileStream(head, fileLength)),
              fileLength));
    });
  }

  private static long hostileLength(SeededMutator m, int actual) {
    long[] lengths = {0, 1, 7, actual - 1L, actual + 1L, 100_000_000L, 100_000_001L, Long.MAX_VALUE, -1, Long.MIN_VALUE,
        1L << 31, 1L << 32};
    return lengths[m.random().nextInt(lengths.length)];
  }
}
