package dev.quarry.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lock of a zoo's output root, {@code <root>/.quarry-zoo.lock}, so that two runs (cron firing
 * while the last run still works) never write the same outputs at once: created exclusively (the
 * file system refuses an existing file), holding its owner as JSON. A lock is stale, and is taken
 * over, when its owner is a process of this host that no longer runs, or when it is older than
 * {@code staleAfter} (a crashed run on another host). Released by {@link #close()} if still ours.
 */
public final class ZooLock implements AutoCloseable {
  public static final String FILE = ".quarry-zoo.lock";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FileSystem fs;
  private final Path path;
  private final LockOwner owner;

  private ZooLock(FileSystem fs, Path path, LockOwner owner) {
    this.fs = fs;
    this.path = path;
    this.owner = owner;
  }

  public static ZooLock acquire(String root, String spec, Duration staleAfter) throws IOException {
    Path dir = new Path(root);
    FileSystem fs = FileSystems.forPath(dir);
    fs.mkdirs(dir);
    Path path = new Path(dir, FILE);
    LockOwner me = LockOwner.current(spec);
    if (tryCreate(fs, path, me)) {
      return new ZooLock(fs, path, me);
    }
    LockOwner holder = read(fs, path);
    long age = System.currentTimeMillis() - (holder != null ? holder.started() : fs.getFileStatus(path).getModificationTime());
    boolean stale = (holder != null && holder.deadOnThisHost()) || age > staleAfter.toMillis();
    if (stale && fs.delete(path, false) && tryCreate(fs, path, me)) {
      return new ZooLock(fs, path, me);
    }
    throw new ZooLockedException(path.toString(), holder);
  }

  private static boolean tryCreate(FileSystem fs, Path path, LockOwner owner) throws IOException {
    try (OutputStream out = fs.create(path, false)) {
      out.write(JSON.writeValueAsBytes(owner));
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  private static LockOwner read(FileSystem fs, Path path) {
    try (InputStream in = fs.open(path)) {
      return JSON.readValue(in, LockOwner.class);
    } catch (IOException e) {
      return null; // half-written or foreign: judged by its age
    }
  }

  public LockOwner owner() {
    return owner;
  }

  @Override
  public void close() throws IOException {
    LockOwner holder = read(fs, path);
    if (holder != null && holder.token().equals(owner.token())) {
      fs.delete(path, false);
    }
  }
}
