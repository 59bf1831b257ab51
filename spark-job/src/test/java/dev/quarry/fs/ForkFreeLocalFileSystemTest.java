package dev.quarry.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fork-free permission setting gives the bits Hadoop's own (chmod in a child process) gives. */
class ForkFreeLocalFileSystemTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void setsThePermissionsHadoopsChmodSets() throws IOException {
    RawLocalFileSystem hadoop = new RawLocalFileSystem();
    hadoop.initialize(URI.create("file:///"), new Configuration());
    FileSystem quarry = FileSystems.forPath(new Path(dir.toUri()));
    assertInstanceOf(ForkFreeLocalFileSystem.class, quarry);
    for (short mode : new short[] {0644, 0600, 0755, 0700, 0444, 0640, 0000, 0777, 0421}) {
      Path byHadoop = new Path(dir.resolve("hadoop-" + mode).toUri());
      Path byQuarry = new Path(dir.resolve("quarry-" + mode).toUri());
      Files.createFile(dir.resolve("hadoop-" + mode));
      Files.createFile(dir.resolve("quarry-" + mode));
      hadoop.setPermission(byHadoop, new FsPermission(mode));
      quarry.setPermission(byQuarry, new FsPermission(mode));
      assertEquals(Files.getPosixFilePermissions(dir.resolve("hadoop-" + mode)),
          Files.getPosixFilePermissions(dir.resolve("quarry-" + mode)), Integer.toOctalString(mode));
    }
  }
}
