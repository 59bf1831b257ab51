package dev.quarry.convert.plan;

import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where the input bytes of each block task are stored, from the file system's block locations (HDFS:
 * the datanodes holding replicas of each block of the byte range). Computed on the driver from the
 * plan alone, one block-location lookup per input shard. Local files and object stores report no
 * real locations (one "localhost", or made-up blocks: {@link CommonPathCapabilities#VIRTUAL_BLOCK_LOCATIONS}),
 * so their tasks get none.
 */
public final class InputLocality {
  private final Map<String, BlockLocation[]> locationsByFile;

  private InputLocality(Map<String, BlockLocation[]> locationsByFile) {
    this.locationsByFile = locationsByFile;
  }

  public static InputLocality of(List<BlockTask> blocks) throws IOException {
    Map<String, BlockLocation[]> byFile = new HashMap<>();
    for (BlockTask b : blocks) {
      if (!byFile.containsKey(b.file())) {
        byFile.put(b.file(), locations(new Path(b.file())));
      }
    }
    return new InputLocality(byFile);
  }

  private static BlockLocation[] locations(Path file) throws IOException {
    FileSystem fs = FileSystems.forPath(file);
    if ("file".equals(fs.getUri().getScheme()) || fs.hasPathCapability(file, CommonPathCapabilities.VIRTUAL_BLOCK_LOCATIONS)) {
      return new BlockLocation[0];
    }
    FileStatus status = fs.getFileStatus(file);
    return fs.getFileBlockLocations(status, 0, status.getLen());
  }

  /** Bytes of the task's input range on each host (empty when the file system has no real locations). */
  public Map<String, Long> bytesByHost(BlockTask task) {
    long elementBytes = task.sourceElementBytes();
    // a transposed (Conv1D) tensor is read a column band at a time, from every row: the whole tensor
    long start = task.transposed() ? task.dataOffset() : task.dataOffset() + task.firstElement() * elementBytes;
    long end = task.transposed() ? task.dataOffset() + task.rows() * task.cols() * elementBytes
        : start + task.elementCount() * elementBytes;
    Map<String, Long> bytes = new HashMap<>();
    for (BlockLocation block : locationsByFile.get(task.file())) {
      long overlap = Math.min(end, block.getOffset() + block.getLength()) - Math.max(start, block.getOffset());
      if (overlap > 0) {
        for (String host : hosts(block)) {
          bytes.merge(host, overlap, Long::sum);
        }
      }
    }
    return bytes;
  }

  private static String[] hosts(BlockLocation block) {
    try {
      return block.getHosts();
    } catch (IOException e) { // declared, but a BlockLocation holds its hosts in memory
      throw new java.io.UncheckedIOException(e);
    }
  }
}
