package dev.quarry.fs;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's raw local file system, without a child process per file. Without Hadoop's native
 * library (which Maven Central does not ship), {@link RawLocalFileSystem} sets the permission of every
 * file it creates by running {@code chmod} in a forked process: 3 to 5 ms per file, thousands of
 * files per conversion (every staged block, its record, every shard). Java's POSIX file attributes
 * set the same bits in microseconds.
 */
final class ForkFreeLocalFileSystem extends RawLocalFileSystem {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  /** PosixFilePermission's order, owner read first, is the order of the permission bits from 0400 down. */
  private static final PosixFilePermission[] BITS = PosixFilePermission.values();

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    if (!POSIX) {
      super.setPermission(p, permission);
      return;
    }
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    int mode = permission.toShort();
    for (int i = 0; i < BITS.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        set.add(BITS[i]);
      }
    }
    Files.setPosixFilePermissions(pathToFile(p).toPath(), set);
  }
}
