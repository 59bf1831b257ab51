package dev.quarry.fs;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Positioned writes into files of a local or shared (mounted) file system, which Hadoop's
 * {@link FileSystem} cannot do: a file is created at its final length by the driver, then any number
 * of tasks, on any executor that mounts it, write their byte ranges at their positions. Writing the
 * same bytes twice (a retried or speculative task) leaves the same file. Tasks do not force their
 * writes to the disk: that would hold a core idle while the disk catches up; the driver forces the
 * files while the tasks run and at commit ({@link BackgroundSync}).
 *
 * <p>Large writes from a {@link #buffer} go to the disk directly ({@code O_DIRECT}) where the file
 * system takes it: the whole pages of the range, while the partial pages at its ends (shared with
 * the neighbouring ranges, which other tasks write) go through the page cache. Copying codes into
 * the page cache, and writing them back from it later, cost more CPU than the quantization itself
 * on the development machine (issue 14; docs/performance.md), and the disk takes direct writes
 * about twice as fast as it syncs cached ones. Where the file system refuses direct I/O (some
 * answer EINVAL, tmpfs did before Linux 6.6), everything goes through the page cache.
 */
public final class PositionedFiles implements AutoCloseable {
  /**
   * Pages written directly: a power of two, at least the file system's block size (what
   * {@code O_DIRECT} asks of positions, lengths and memory addresses).
   */
  static final int PAGE = 4096;
  /** Below this a write goes through the page cache whatever its buffer: the gain is too small. */
  static final int DIRECT_MIN_BYTES = 256 << 10;

  /**
   * The threads that run direct writes, shared by every instance in the JVM: a task's write of one
   * block's codes overlaps its computing of the next one instead of holding its core idle.
   */
  private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "quarry-direct-write");
    t.setDaemon(true);
    return t;
  });

  /**
   * Areas given back by closed instances, for the next task of this JVM (at most {@link #freeAreasKept}):
   * a fresh area is memory the kernel must fault in and zero, and with two fresh areas per task that
   * took about 2% of the nf4-dq pass's CPU (perf, docs/performance.md).
   */
  private static final Deque<ByteBuffer> FREE_AREAS = new ArrayDeque<>();
  /**
   * As many areas as the instances of one task per core use, and two more: a run of several modes uses
   * more areas per task (one per mode and one more), which a smaller pool would drop and allocate again.
   */
  private static int freeAreasKept;

  private final Map<String, FileChannel> open = new LinkedHashMap<>();
  /** Each file's direct channel, or absent when its file system takes no direct I/O. */
  private final Map<String, Optional<FileChannel>> direct = new LinkedHashMap<>();
  /**
   * Areas of direct memory aligned to {@link #PAGE}, handed out in turn by {@link #buffer}: the
   * direct write of one runs on a writer thread while the caller fills the others.
   */
  private final ByteBuffer[] pages;
  private int nextPages;
  /** The buffers {@link #buffer} handed out and not written yet, by the area of {@link #pages} they are views of. */
  private final ByteBuffer[] handedOut;
  /**
   * The direct write in flight from each area of {@link #pages} (or null), and the file it writes: one per
   * area, so that a block's codes of several modes all go to the disk while the task computes the next.
   */
  private final Future<?>[] inFlight;
  private final String[] inFlightPath;
  private long directBytes;

  /** Positioned writes whose {@link #buffer}s are filled one at a time. */
  public PositionedFiles() {
    this(1);
  }

  /**
   * @param buffersAtOnce how many {@link #buffer}s the caller fills before writing them (a conversion
   *                      to several modes gathers a block's codes of each mode, then writes them)
   */
  public PositionedFiles(int buffersAtOnce) {
    pages = new ByteBuffer[buffersAtOnce + 1];
    handedOut = new ByteBuffer[buffersAtOnce + 1];
    inFlight = new Future<?>[buffersAtOnce + 1];
    inFlightPath = new String[buffersAtOnce + 1];
    synchronized (FREE_AREAS) {
      freeAreasKept = Math.max(freeAreasKept, pages.length * Runtime.getRuntime().availableProcessors() + 2);
    }
  }

  /**
   * Whether files under {@code dir} are on a file system this class can write (Hadoop's {@code file:}).
   * Not a local file system under another scheme: such a one can change what a write does (a test's
   * disk that fills up), which Hadoop's writes go through and positioned writes would not.
   */
  public static boolean supports(FileSystem fs) {
    return (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) && "file".equals(fs.getUri().getScheme());
  }

  /** Creates (or truncates) the file at {@code path} with {@code length} bytes, all zero until written. */
  public static void create(String path, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file(path), "rw")) {
      f.setLength(0);
      f.setLength(length);
    } catch (IOException e) {
      throw NamedOutputStream.named(new Path(path), e);
    }
  }

  /**
   * A buffer of {@code length} bytes in which to gather what will be written at {@code position}:
   * direct memory that lies in its pages as those bytes will lie in the file's, so that
   * {@link #write} can send the whole pages to the disk directly. Valid until as many more calls as
   * the buffers the caller fills at once.
   */
  public ByteBuffer buffer(long position, int length) throws IOException {
    int lead = (int) (position % PAGE);
    int which = nextPages;
    nextPages = (nextPages + 1) % pages.length;
    awaitInFlight(which);
    if (pages[which] == null || pages[which].capacity() < lead + length) {
      pages[which] = area((lead + length + PAGE - 1) / PAGE * PAGE);
    }
    handedOut[which] = pages[which].clear().position(lead).limit(lead + length).slice();
    return handedOut[which];
  }

  /**
   * Writes the buffer's remaining bytes at {@code position} of the file at {@code path} (URI string):
   * directly where the buffer is a {@link #buffer} not written yet, made for that position, large enough, and
   * the file system takes it (its whole pages then go on a writer thread: the caller must not touch
   * the buffer again, and may fill the next one meanwhile); through the page cache otherwise.
   */
  public void write(String path, long position, ByteBuffer bytes) throws IOException {
    try {
      long end = position + bytes.remaining();
      long firstPage = (position + PAGE - 1) / PAGE * PAGE;
      long lastPage = end / PAGE * PAGE;
      int area = areaOf(bytes);
      FileChannel direct = area >= 0 && bytes.remaining() >= DIRECT_MIN_BYTES
          && bytes.alignmentOffset(bytes.position(), PAGE) == position % PAGE && lastPage > firstPage
          ? directChannel(path) : null;
      if (direct == null) {
        writeFully(channel(path), bytes, position);
        return;
      }
      int at = bytes.position();
      writeFully(channel(path), bytes.duplicate().limit(at + (int) (firstPage - position)), position);
      writeFully(channel(path), bytes.duplicate().position(at + (int) (lastPage - position)), lastPage);
      ByteBuffer whole = bytes.duplicate().position(at + (int) (firstPage - position)).limit(at + (int) (lastPage - position));
      bytes.position(bytes.limit());
      inFlight[area] = WRITERS.submit(() -> {
        writeFully(direct, whole, firstPage);
        return null;
      });
      inFlightPath[area] = path;
      handedOut[area] = null;
      directBytes += lastPage - firstPage;
    } catch (IOException e) {
      throw NamedOutputStream.named(new Path(path), e);
    }
  }

  /** An area of direct memory aligned to {@link #PAGE} of at least {@code capacity} bytes: a free one, else a new one. */
  private static ByteBuffer area(int capacity) {
    synchronized (FREE_AREAS) {
      for (Iterator<ByteBuffer> it = FREE_AREAS.iterator(); it.hasNext(); ) {
        ByteBuffer free = it.next();
        if (free.capacity() >= capacity) {
          it.remove();
          return free;
        }
      }
    }
    return ByteBuffer.allocateDirect(capacity + PAGE).alignedSlice(PAGE);
  }

  /** Gives this instance's areas back (none is in flight), the oldest free ones dropped beyond the cap. */
  private void giveBackAreas() {
    synchronized (FREE_AREAS) {
      for (int i = 0; i < pages.length; i++) {
        if (pages[i] != null) {
          FREE_AREAS.addFirst(pages[i]);
          pages[i] = null;
        }
      }
      while (FREE_AREAS.size() > freeAreasKept) {
        FREE_AREAS.removeLast();
      }
    }
    Arrays.fill(handedOut, null);
  }

  /** Which area of {@link #pages} the handed-out, unwritten buffer {@code bytes} is, or -1. */
  private int areaOf(ByteBuffer bytes) {
    for (int i = 0; i < handedOut.length; i++) {
      if (handedOut[i] == bytes) {
        return i;
      }
    }
    return -1;
  }

  /** Waits for the direct write in flight from area {@code area}, if any, and fails as it failed. */
  private void awaitInFlight(int area) throws IOException {
    if (inFlight[area] == null) {
      return;
    }
    try {
      inFlight[area].get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw NamedOutputStream.named(new Path(inFlightPath[area]), io);
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(inFlightPath[area] + ": interrupted while written");
    } finally {
      inFlight[area] = null;
    }
  }


  /** Bytes this instance wrote directly to the disk, bypassing the page cache. */
  public long directBytes() {
    return directBytes;
  }

  private FileChannel channel(String path) throws IOException {
    FileChannel channel = open.get(path);
    if (channel == null) {
      channel = FileChannel.open(file(path).toPath(), StandardOpenOption.WRITE);
      open.put(path, channel);
    }
    return channel;
  }

  /** The file's direct channel, or null where its file system refuses direct I/O. */
  private FileChannel directChannel(String path) throws IOException {
    Optional<FileChannel> channel = direct.get(path);
    if (channel == null) {
      java.nio.file.Path file = file(path).toPath();
      try {
        channel = Files.getFileStore(file).getBlockSize() <= PAGE
            ? Optional.of(FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT))
            : Optional.empty();
      } catch (IOException | UnsupportedOperationException e) {
        channel = Optional.empty();
      }
      direct.put(path, channel);
    }
    return channel.orElse(null);
  }

  private static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
    for (long at = position; bytes.hasRemaining(); ) {
      at += channel.write(bytes, at);
    }
  }

  /** Waits for the direct writes in flight, then closes every file written. */
  @Override
  public void close() throws IOException {
    IOException failed = null;
    for (int area = 0; area < inFlight.length; area++) {
      try {
        awaitInFlight(area);
      } catch (IOException e) {
        failed = failed == null ? e : failed;
      }
    }
    if (failed == null) { // an interrupted wait may leave the write running: its area is not given back
      giveBackAreas();
    }
    List<Map.Entry<String, FileChannel>> channels = new ArrayList<>(open.entrySet());
    direct.forEach((path, channel) -> channel.ifPresent(c -> channels.add(Map.entry(path, c))));
    for (Map.Entry<String, FileChannel> e : channels) {
      try {
        e.getValue().close();
      } catch (IOException x) {
        failed = failed == null ? NamedOutputStream.named(new Path(e.getKey()), x) : failed;
      }
    }
    open.clear();
    direct.clear();
    if (failed != null) {
      throw failed;
    }
  }

  private static File file(String path) {
    return new File(new Path(path).toUri().getPath());
  }
}
