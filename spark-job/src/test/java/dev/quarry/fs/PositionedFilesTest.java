package dev.quarry.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranges written from several threads in any order, through the page cache or directly, leave the
 * file byte for byte as planned; on a file system that takes direct I/O (this machine's ext4) the
 * whole pages of large ranges go directly.
 */
class PositionedFilesTest {
  @TempDir
  Path dir;

  /** Ranges that tile {@code length} bytes: tiny, below and above the direct minimum, page-aligned or not. */
  private static List<long[]> ranges(Random random, long length) {
    List<long[]> ranges = new ArrayList<>();
    long at = 0;
    int[] sizes = {1, 17, PositionedFiles.PAGE - 1, PositionedFiles.PAGE, PositionedFiles.DIRECT_MIN_BYTES - 1,
        PositionedFiles.DIRECT_MIN_BYTES, 3 * PositionedFiles.DIRECT_MIN_BYTES + 4097, 1 << 20};
    while (at < length) {
      long size = Math.min(length - at, sizes[random.nextInt(sizes.length)] + (random.nextBoolean() ? 0 : random.nextInt(5000)));
      ranges.add(new long[] {at, size});
      at += size;
    }
    Collections.shuffle(ranges, random);
    return ranges;
  }

  /** Writes every range of a random file with two threads, each range from its own {@link PositionedFiles#buffer}. */
  private static long writeAll(Path file, byte[] expected, List<long[]> ranges) throws Exception {
    PositionedFiles.create(file.toUri().toString(), expected.length);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> direct = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        direct.add(threads.submit(() -> {
          try (PositionedFiles files = new PositionedFiles()) {
            for (int i = thread; i < ranges.size(); i += 2) {
              long position = ranges.get(i)[0];
              int size = (int) ranges.get(i)[1];
              ByteBuffer buffer = files.buffer(position, size);
              buffer.put(expected, (int) position, size).flip();
              files.write(file.toUri().toString(), position, buffer);
              assertEquals(0, buffer.remaining(), "the buffer is consumed");
            }
            return files.directBytes();
          }
        }));
      }
      long total = 0;
      for (Future<Long> f : direct) {
        total += f.get();
      }
      return total;
    } finally {
      threads.shutdownNow();
    }
  }

  /** Whole pages of the ranges of at least the direct minimum: what must bypass the page cache. */
  private static long wholePages(List<long[]> ranges) {
    long pages = 0;
    for (long[] r : ranges) {
      long first = (r[0] + PositionedFiles.PAGE - 1) / PositionedFiles.PAGE * PositionedFiles.PAGE;
      long last = (r[0] + r[1]) / PositionedFiles.PAGE * PositionedFiles.PAGE;
      if (r[1] >= PositionedFiles.DIRECT_MIN_BYTES && last > first) {
        pages += last - first;
      }
    }
    return pages;
  }

  @Test
  void largeRangesGoToTheDiskDirectlyAndTheFileIsExact() throws Exception {
    assertEquals("ext4", Files.getFileStore(dir).type(),
        "this test needs its temporary directory on ext4 (direct I/O), found " + Files.getFileStore(dir).type());
    Random random = new Random(14);
    for (int round = 0; round < 3; round++) {
      byte[] expected = new byte[12_000_000 + random.nextInt(100_000)];
      random.nextBytes(expected);
      List<long[]> ranges = ranges(random, expected.length);
      Path file = dir.resolve("shard-" + round);
      long direct = writeAll(file, expected, ranges);
      assertArrayEquals(expected, Files.readAllBytes(file), "round " + round);
      assertTrue(wholePages(ranges) > 4 * PositionedFiles.DIRECT_MIN_BYTES, "the draw has large ranges");
      assertEquals(wholePages(ranges), direct, "bytes written directly, round " + round);
    }
  }

  /** Only a {@link PositionedFiles#buffer} made for the range's position can go directly: others take the page cache. */
  @Test
  void buffersNotLaidOutForTheirPositionGoThroughThePageCache() throws Exception {
    Random random = new Random(15);
    byte[] expected = new byte[6_000_000];
    random.nextBytes(expected);
    String file = dir.resolve("shard").toUri().toString();
    PositionedFiles.create(file, expected.length);
    int half = expected.length / 2 + 123;
    try (PositionedFiles files = new PositionedFiles()) {
      files.write(file, 0, ByteBuffer.wrap(expected, 0, half));
      ByteBuffer misaligned = files.buffer(half + 1, expected.length - half);
      files.write(file, half, misaligned.put(expected, half, expected.length - half).flip());
      assertEquals(0, files.directBytes());
    }
    assertArrayEquals(expected, Files.readAllBytes(dir.resolve("shard")));
  }

  /**
   * A conversion to several modes fills a block's buffer of each mode, then writes them: every one of
   * them goes directly, and filling the next round's buffers does not touch one still being written.
   */
  @Test
  void severalBuffersFilledAtOnceAllGoDirectly() throws Exception {
    assertEquals("ext4", Files.getFileStore(dir).type(),
        "this test needs its temporary directory on ext4 (direct I/O), found " + Files.getFileStore(dir).type());
    Random random = new Random(16);
    int modes = 3;
    int size = 1 << 20;
    int rounds = 4;
    List<byte[]> expected = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (int m = 0; m < modes; m++) {
      byte[] bytes = new byte[rounds * size];
      random.nextBytes(bytes);
      expected.add(bytes);
      files.add(dir.resolve("mode-" + m).toUri().toString());
      PositionedFiles.create(files.get(m), bytes.length);
    }
    try (PositionedFiles positioned = new PositionedFiles(modes)) {
      for (int round = 0; round < rounds; round++) {
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int m = 0; m < modes; m++) {
          buffers.add(positioned.buffer((long) round * size, size));
        }
        for (int m = 0; m < modes; m++) {
          buffers.get(m).put(expected.get(m), round * size, size).flip();
        }
        for (int m = 0; m < modes; m++) {
          positioned.write(files.get(m), (long) round * size, buffers.get(m));
        }
      }
      assertEquals((long) modes * rounds * size, positioned.directBytes());
    }
    for (int m = 0; m < modes; m++) {
      assertArrayEquals(expected.get(m), Files.readAllBytes(dir.resolve("mode-" + m)), "mode " + m);
    }
  }
}
