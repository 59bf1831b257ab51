package dev.quarry.fs;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * Hadoop's raw local file system, without a child process per file, and with a create that refuses
 * an existing file atomically. Without Hadoop's native library (which Maven Central does not ship),
 * {@link RawLocalFileSystem} sets the permission of every file it creates by running {@code chmod}
 * in a forked process: 3 to 5 ms per file, thousands of files per conversion (every staged block,
 * its record, every shard). Java's POSIX file attributes set the same bits in microseconds. And its
 * {@code create(overwrite=false)} checks that the file does not exist, then opens it: two processes
 * can both pass the check and both believe they created it (two zoo runs each holding the lock).
 * Here the file is first created with {@code O_EXCL}, which exactly one of them gets.
 */
final class ForkFreeLocalFileSystem extends RawLocalFileSystem {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  /** PosixFilePermission's order, owner read first, is the order of the permission bits from 0400 down. */
  private static final PosixFilePermission[] BITS = PosixFilePermission.values();

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    claimUnlessOverwrite(f, overwrite, true);
    return super.create(f, true, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    claimUnlessOverwrite(f, overwrite, true);
    return super.create(f, permission, true, bufferSize, replication, blockSize, progress);
  }

  /** Also what {@code createFile(path).build()} calls (Hadoop's builder creates non-recursively unless told). */
  @Override
  public FSDataOutputStream createNonRecursive(Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    return createNonRecursive(f, permission, flags.contains(CreateFlag.OVERWRITE), bufferSize, replication, blockSize,
        progress);
  }

  @Override
  public FSDataOutputStream createNonRecursive(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    claimUnlessOverwrite(f, overwrite, false);
    return super.createNonRecursive(f, permission, true, bufferSize, replication, blockSize, progress);
  }

  /** Creates {@code f} empty with O_EXCL unless it may be overwritten: of racing creators, one gets it, the others fail. */
  private void claimUnlessOverwrite(Path f, boolean overwrite, boolean createParent) throws IOException {
    if (overwrite) {
      return;
    }
    Path parent = f.getParent();
    if (createParent && parent != null && !mkdirs(parent)) {
      throw new IOException(parent + ": cannot create the directory");
    }
    try {
      Files.createFile(pathToFile(f).toPath());
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new FileAlreadyExistsException(f + " already exists");
    } catch (java.nio.file.NoSuchFileException e) {
      throw new java.io.FileNotFoundException(parent + ": no such directory");
    }
  }

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
