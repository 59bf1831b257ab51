package dev.quarry.convert;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.WholeFiles;
import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.SafetensorsWriter;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.safetensors.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Assembles one output shard on an executor: the safetensors header of its layout, then every
 * tensor's pieces in layout order through one bounded buffer (a block's primary bytes computed from
 * the input again, ahead of the writing: {@link BlocksComputedAhead}), to where its
 * {@link ShardDestination} says; a failed write is abandoned (an object-store upload aborted), never published half-written.
 */
final class ShardWriter {
  private static final int BUFFER_BYTES = 4 << 20;

  private ShardWriter() {}

  /**
   * Returns the written file and its tensors' CRC32C. {@code threads}: how many threads compute blocks ahead of
   * the writing thread ({@link ClusterShape#threadsPerShard}).
   */
  static WrittenShard write(ShardTask task, ShardDestination destination, long attemptId, int threads)
      throws IOException {
    List<TensorSpec> specs = new ArrayList<>();
    Map<String, OutputTensorPlan> byName = new HashMap<>();
    for (OutputTensorPlan t : task.tensors()) {
      specs.add(t.spec());
      byName.put(t.name(), t);
    }
    SafetensorsLayout layout = SafetensorsLayout.of(specs, SafetensorsLayout.PYTORCH_METADATA);
    Path path = destination.path(task.fileName(), attemptId);
    FileSystem fs = FileSystems.forPath(path);
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    Map<String, FSDataInputStream> open = new HashMap<>();
    Map<String, Long> crcs = new HashMap<>();
    List<Piece> blocks = new ArrayList<>();
    for (TensorEntry t : layout.tensors()) {
      byName.get(t.name()).pieces().stream().filter(p -> p.block() != null).forEach(blocks::add);
    }
    FSDataOutputStream file = NamedOutputStream.createData(fs, path, true);
    try (SafetensorsWriter out = new SafetensorsWriter(NamedOutputStream.wrap(file, path), layout);
        BlocksComputedAhead computed = new BlocksComputedAhead(blocks, threads)) {
      try {
        for (TensorEntry t : layout.tensors()) {
          out.beginTensor(t.name());
          CRC32C crc = new CRC32C();
          for (Piece p : byName.get(t.name()).pieces()) {
            if (p.inline() != null) {
              write(out, crc, ByteBuffer.wrap(p.inline()));
            } else if (p.block() != null) {
              write(out, crc, ByteBuffer.wrap(computed.next()));
            } else {
              copy(open.computeIfAbsent(p.path(), FileSystems::openUnchecked), p, buffer, out, crc);
            }
          }
          crcs.put(t.name(), crc.getValue());
        }
        out.finish();
      } catch (IOException | RuntimeException e) {
        WholeFiles.abandon(file);
        throw e;
      }
    } finally {
      for (FSDataInputStream in : open.values()) {
        in.close();
      }
    }
    return new WrittenShard(path.toString(), crcs);
  }

  private static void copy(FSDataInputStream in, Piece p, ByteBuffer buffer, SafetensorsWriter out, CRC32C crc)
      throws IOException {
    for (long done = 0; done < p.length(); ) {
      int n = (int) Math.min(buffer.capacity(), p.length() - done);
      in.readFully(p.offset() + done, buffer.array(), 0, n);
      buffer.clear().limit(n);
      write(out, crc, buffer);
      done += n;
    }
  }

  /** Writes the buffer's remaining bytes to the current tensor and adds them to its CRC32C. */
  private static void write(SafetensorsWriter out, CRC32C crc, ByteBuffer bytes) throws IOException {
    crc.update(bytes.duplicate());
    out.write(bytes);
  }
}
