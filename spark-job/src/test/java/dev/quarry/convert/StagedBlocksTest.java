package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.ExactSum;
import dev.quarry.testing.FileTrees;
import dev.quarry.testing.LocalFiles;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staged results a rerun reuses: only complete, consistent records this quarry wrote; anything
 * else in the staging area (a data file without its record, a record of the wrong size, a planted
 * object of another class, a block the plan does not have) is dropped so that the block is redone.
 */
class StagedBlocksTest {
  @TempDir
  Path dir;

  private FileSystem fs;
  private String staging;

  @BeforeEach
  void setUp() {
    fs = LocalFiles.fs();
    staging = LocalFiles.hadoopPath(dir).toString();
  }

  /**
   * An attempt's file of {@code secondary} bytes (a first-pass block stages no primary bytes: the
   * shard writer computes them again), committed as block {@code id}.
   */
  private BlockResult commit(int id, int primary, int secondary, ExactSum sum) throws IOException {
    Path attempt = dir.resolve("block-" + id + "-attempt-7.bin");
    Files.write(attempt, new byte[secondary]);
    return StagedBlocks.commit(fs, staging, "block", new BlockResult(id, LocalFiles.hadoopPath(attempt).toString(),
        primary, secondary, sum, null, 0xcafeL + id));
  }

  @Test
  void committedBlocksAreFoundWithTheirResults() throws IOException {
    ExactSum sum = new ExactSum();
    sum.add(1.5f);
    sum.add(2.25f);
    BlockResult committed = commit(3, 10, 4, sum);
    commit(0, 6, 0, null);
    assertEquals(List.of("block-0000000.bin", "block-0000000.result", "block-0000003.bin", "block-0000003.result"),
        FileTrees.names(dir), "attempt files renamed, nothing else left");
    Map<Integer, BlockResult> found = StagedBlocks.finished(fs, staging, "block", 5);
    assertEquals(Map.of(0, 6L, 3, 10L), Map.of(0, found.get(0).primaryBytes(), 3, found.get(3).primaryBytes()));
    assertEquals(committed.path(), found.get(3).path());
    assertEquals(4, found.get(3).secondaryBytes());
    assertEquals(3.75f, found.get(3).absmaxSum().sum(), "the exact sum survives");
    assertEquals(0xcafeL + 3, found.get(3).primaryCrc(), "the CRC the shard writer checks survives");
    assertTrue(StagedBlocks.finished(fs, staging, "nested", 5).isEmpty(), "kinds are apart");
  }

  @Test
  void aSecondAttemptOfACommittedBlockLeavesOneCopy() throws IOException {
    commit(1, 8, 0, null);
    commit(1, 8, 0, null);
    assertEquals(List.of("block-0000001.bin", "block-0000001.result"), FileTrees.names(dir));
  }

  @Test
  void inconsistentOrForeignFilesAreDroppedNotReused() throws IOException {
    commit(0, 8, 4, null);
    commit(1, 8, 4, null);
    commit(2, 8, 4, null);
    commit(9, 8, 4, null);
    Files.write(dir.resolve("block-0000000.bin"), new byte[11]); // not the size its record says
    Files.delete(dir.resolve("block-0000001.result")); // a crash between the two renames
    try (OutputStream f = Files.newOutputStream(dir.resolve("block-0000002.result"));
        ObjectOutputStream out = new ObjectOutputStream(f)) {
      out.writeObject(new HashMap<>(Map.of("planted", "object"))); // any other class: refused by the filter
    }
    Files.write(dir.resolve("block-0000004.result"), new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 1}); // cut short
    Map<Integer, BlockResult> found = StagedBlocks.finished(fs, staging, "block", 5);
    assertTrue(found.isEmpty(), found.toString());
    assertEquals(List.of(), FileTrees.names(dir), "every unusable file removed, block 9 is not in this plan");
    assertFalse(Files.exists(dir.resolve("block-0000009.bin")));
  }
}
