package dev.quarry.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.testing.LocalFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest of a quarry before the one conversion record (its metadata held the version, the
 * settings and an input fingerprint under keys of their own) is refused by name and version, with
 * what to do, not read as if it recorded this build's conversion.
 */
class EarlierManifestTest {
  @TempDir
  Path dir;

  @Test
  void anEarlierQuarrysManifestIsRefusedSayingSo() throws IOException {
    Path file = dir.resolve(Manifest.FILE_NAME);
    Map<String, String> earlier = Map.of("quarry.version", "0.0.9", "quarry.input", "/models/a",
        "quarry.settings", "{\"mode\":\"nf4\"}", "quarry.input_fingerprint", "{\"shards\":[]}");
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(ManifestFile.schema(earlier), allocator);
        FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter writer = new ArrowFileWriter(root, null, out)) {
      root.setRowCount(0);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ManifestFile.read(LocalFiles.fs(), LocalFiles.hadoopPath(file)));
    assertEquals(LocalFiles.hadoopPath(file) + ": written by an earlier quarry (0.0.9), which recorded its conversion "
        + "in another form; convert the model again with this one", e.getMessage());
  }
}
