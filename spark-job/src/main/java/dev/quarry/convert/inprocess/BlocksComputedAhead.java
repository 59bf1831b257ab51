package dev.quarry.convert.inprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pieces of work computed on a few threads of this process and handed out in their order
 * ({@link InProcessConversion}: {@code quarry quantize} without Spark, whose first error reported
 * must be the first in the file whatever thread found it). At most {@code threads + 1} results are
 * held at once, so memory grows with the block size, not with the file.
 */
final class BlocksComputedAhead<T> implements AutoCloseable {
  /** A computation of one piece. */
  interface Computation<T> {
    T compute() throws IOException;
  }

  private final Iterator<Computation<T>> toSubmit;
  private final ArrayDeque<Future<T>> inFlight = new ArrayDeque<>();
  private final ExecutorService pool;
  private final int ahead;

  /** @param pieces the computations in the order {@link #next()} will be called for them */
  BlocksComputedAhead(List<Computation<T>> pieces, int threads) {
    this.toSubmit = pieces.iterator();
    this.ahead = threads + 1;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "quarry-block");
      t.setDaemon(true);
      return t;
    });
    fill();
  }

  /** The next piece; its failure (the input changed, I/O) rethrown as it was. */
  T next() throws IOException {
    Future<T> head = inFlight.poll();
    if (head == null) {
      throw new IllegalStateException("more pieces asked for than there are");
    }
    fill();
    try {
      return head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while computing a block", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause.getMessage(), cause);
    }
  }

  private void fill() {
    while (inFlight.size() < ahead && toSubmit.hasNext()) {
      Computation<T> piece = toSubmit.next();
      Callable<T> call = piece::compute;
      inFlight.add(pool.submit(call));
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
