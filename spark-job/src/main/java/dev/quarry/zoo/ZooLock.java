package dev.quarry.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.fs.FileSystems;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lock of a zoo's output root, {@code <root>/.quarry-zoo.lock}, so that two runs (cron firing
 * while the last run still works) never write the same outputs at once: created only if absent,
 * by the store itself, holding its owner as JSON. A lock is stale, and is taken over, when its
 * owner is a process of this host that no longer runs, or when it is older than {@code staleAfter}
 * (a crashed run on another host). Released by {@link #close()} if still ours.
 *
 * <p>The create must be atomic in the store, not a check followed by a write, or two runs that
 * start together both get the lock. HDFS creates atomically (the NameNode), quarry's local file
 * system with {@code O_EXCL}, and S3A with a conditional PUT ({@code If-None-Match: *}), which
 * {@link #CREATE_IF_ABSENT} asks for (Hadoop 3.5; {@code fs.s3a.create.conditional.enabled}, on by
 * default). A store that refuses that request, or that ignores it and replaces the object (checked
 * by creating the lock a second time, which must fail), gets no lock and an error saying so.
 *
 * <p>Taking over a stale lock is itself a race (two runs find the same dead lock): the runs first
 * create {@code <lock>.takeover-<digest of the stale lock's id>} the same way, and only the one
 * that gets it deletes the stale lock; the marker goes when its lock is released.
 */
public final class ZooLock implements AutoCloseable {
  public static final String FILE = ".quarry-zoo.lock";
  /** Hadoop's create option for a create the store refuses when the object exists; file systems that do not know it ignore it. */
  static final String CREATE_IF_ABSENT = "fs.option.create.conditional.overwrite";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Tries when the lock vanishes between a failed create and the look at it (its run just released it). */
  private static final int ATTEMPTS = 3;

  private final FileSystem fs;
  private final Path path;
  private final LockOwner owner;
  private final Path takeover;

  private ZooLock(FileSystem fs, Path path, LockOwner owner, Path takeover) {
    this.fs = fs;
    this.path = path;
    this.owner = owner;
    this.takeover = takeover;
  }

  public static ZooLock acquire(String root, String spec, Duration staleAfter) throws IOException {
    Path dir = new Path(root);
    FileSystem fs = FileSystems.forPath(dir);
    fs.mkdirs(dir);
    Path path = new Path(dir, FILE);
    LockOwner me = LockOwner.current(spec);
    byte[] mine = JSON.writeValueAsBytes(me);
    for (int attempt = 1; ; attempt++) {
      if (createIfAbsent(fs, path, mine)) {
        return new ZooLock(fs, path, me, null);
      }
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException gone) { // released or taken over since our create failed: try again
        if (attempt < ATTEMPTS) {
          continue;
        }
        throw new ZooLockedException(path.toString(), null);
      }
      LockOwner holder = read(fs, path);
      long age = System.currentTimeMillis() - (holder != null ? holder.started() : status.getModificationTime());
      if ((holder != null && holder.deadOnThisHost()) || age > staleAfter.toMillis()) {
        ZooLock taken = takeOver(fs, path, holder != null ? holder.token() : "modified-" + status.getModificationTime(), me,
            mine);
        if (taken != null) {
          return taken;
        }
      }
      throw new ZooLockedException(path.toString(), holder);
    }
  }

  /** The lock in place of the stale one {@code staleId}, or null when another run takes it over first. */
  private static ZooLock takeOver(FileSystem fs, Path path, String staleId, LockOwner me, byte[] mine) throws IOException {
    // named by a digest: the stale lock's token is whatever its file says, and must not become a path
    Path marker = new Path(path.getParent(),
        FILE + ".takeover-" + UUID.nameUUIDFromBytes(staleId.getBytes(StandardCharsets.UTF_8)));
    if (!createIfAbsent(fs, marker, mine)) {
      return null;
    }
    if (staleId.equals(idOf(fs, path)) && fs.delete(path, false) && createIfAbsent(fs, path, mine)) {
      return new ZooLock(fs, path, me, marker);
    }
    fs.delete(marker, false);
    return null;
  }

  /**
   * Creates {@code path} holding {@code content} if no file is there; false when one is (another
   * run's). Throws when the store cannot create it only-if-absent.
   */
  private static boolean createIfAbsent(FileSystem fs, Path path, byte[] content) throws IOException {
    if (!tryCreate(fs, path, content)) {
      return false;
    }
    // The same bytes again: harmless if the store replaces the object, and the one way to see that it did.
    if (tryCreate(fs, path, content)) {
      fs.delete(path, false);
      throw new IOException(path + ": this store replaced an existing file on a create-if-absent, so two zoo runs "
          + "could both take the lock; quarry takes it only where the store refuses such a create (local disks, HDFS, "
          + "S3 and S3-compatible stores with conditional writes)");
    }
    return true;
  }

  private static boolean tryCreate(FileSystem fs, Path path, byte[] content) throws IOException {
    IOException refused = null;
    // a second try only when the file was gone by the time we looked: released or taken over just then
    for (int attempt = 0; attempt < 2; attempt++) {
      FSDataOutputStreamBuilder<?, ?> create = fs.createFile(path).overwrite(false);
      create.opt(CREATE_IF_ABSENT, true);
      try (OutputStream out = create.build()) {
        out.write(content);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (IOException e) {
        // S3's "precondition failed" (another run's lock is there), or the store refusing the request
        if (fs.exists(path)) {
          return false;
        }
        refused = e;
      }
    }
    // the store's own words name client classes: they stay in the cause, shown with -Dquarry.debug=true
    throw new IOException(path + ": cannot create the zoo lock: the store refused a create-if-absent; on s3a:// "
        + "the lock needs a store with conditional writes (PUT with If-None-Match) and "
        + "fs.s3a.create.conditional.enabled=true (the default)", refused);
  }

  /** The id of the lock now at {@code path} (its token, or its modification time if unreadable), or null if gone. */
  private static String idOf(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path)) {
      return null;
    }
    LockOwner holder = read(fs, path);
    return holder != null ? holder.token() : "modified-" + fs.getFileStatus(path).getModificationTime();
  }

  private static LockOwner read(FileSystem fs, Path path) {
    try (InputStream in = fs.open(path)) {
      return JSON.readValue(in, LockOwner.class);
    } catch (IOException e) {
      return null; // half-written or foreign: judged by its age
    }
  }

  @Override
  public void close() throws IOException {
    LockOwner holder = read(fs, path);
    if (holder != null && holder.token().equals(owner.token())) {
      fs.delete(path, false);
    }
    if (takeover != null) {
      fs.delete(takeover, false);
    }
  }
}
