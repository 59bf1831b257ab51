package dev.quarry.fs;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;

/**
 * Forces files to the disk over and over on a thread of its own while tasks write them, so that the
 * disk writes back while the cores compute, and at {@link #close()} once more, reporting any write
 * error. A disk that syncs 0.4 GB/s would otherwise take seconds to catch up at commit (the kernel
 * starts writing back only once a tenth of the memory is dirty), and a task that forced its own
 * writes would hold its core idle meanwhile. The files are opened here, on the driver: a write error
 * of any task's is reported to the first sync after it, which is this one's (a local or mounted file
 * system flushes what other processes wrote, and NFS clients have sent it by the time they close).
 */
public final class BackgroundSync implements AutoCloseable {
  private static final long PAUSE_MILLIS = 500;

  private final List<FileChannel> channels = new ArrayList<>();
  private final List<String> paths;
  private final Thread thread;
  /** Counted down by {@link #close()}: the thread stops at once, not after its pause (an interrupt would close the channels). */
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile IOException failure;

  private BackgroundSync(List<String> paths) throws IOException {
    this.paths = List.copyOf(paths);
    for (String p : paths) {
      channels.add(FileChannel.open(new File(new Path(p).toUri().getPath()).toPath(), StandardOpenOption.READ));
    }
    this.thread = new Thread(this::loop, "quarry-background-sync");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts forcing the local files at {@code paths} (URI strings), which must exist. */
  public static BackgroundSync start(List<String> paths) throws IOException {
    return new BackgroundSync(paths);
  }

  private void loop() {
    try {
      while (failure == null && !stop.await(PAUSE_MILLIS, TimeUnit.MILLISECONDS)) {
        forceAll(false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forceAll(boolean metadata) {
    for (int i = 0; i < channels.size() && failure == null; i++) {
      try {
        channels.get(i).force(metadata);
      } catch (IOException e) {
        failure = new IOException(paths.get(i) + ": cannot write it to the disk: " + e.getMessage(), e);
      }
    }
  }

  /** Stops the thread, forces every file once more (data and metadata) and throws the first write error. */
  @Override
  public void close() throws IOException {
    stop.countDown();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    forceAll(true);
    for (FileChannel c : channels) {
      c.close();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
