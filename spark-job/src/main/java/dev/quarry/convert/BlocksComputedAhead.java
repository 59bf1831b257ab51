package dev.quarry.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The primary bytes of a shard's blocks ({@link Piece#block()}), computed again from the input on a
 * few threads ahead of the one thread that writes the shard, and handed out in writing order. A
 * model that fits one shard (a 7B model in 4 bits) is written by one task: without this, one core
 * would quantize the whole model while the others wait. At most {@code threads + 1} blocks are held
 * at once, so memory grows with the block size, not with the shard.
 */
final class BlocksComputedAhead implements AutoCloseable {
  private final Iterator<Piece> toSubmit;
  private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
  private final ExecutorService pool;
  private final int ahead;

  /** @param blocks the block pieces in the order {@link #next()} will be called for them */
  BlocksComputedAhead(List<Piece> blocks, int threads) {
    this.toSubmit = blocks.iterator();
    this.ahead = threads + 1;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "quarry-shard-block");
      t.setDaemon(true);
      return t;
    });
    fill();
  }

  /** The primary bytes of the next block piece; its failure (the input changed, I/O) rethrown as it was. */
  byte[] next() throws IOException {
    Future<byte[]> head = inFlight.poll();
    if (head == null) {
      throw new IllegalStateException("more block pieces asked for than the shard has");
    }
    fill();
    try {
      return head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while computing a block of the shard", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause.getMessage(), cause);
    }
  }

  private void fill() {
    while (inFlight.size() < ahead && toSubmit.hasNext()) {
      Piece piece = toSubmit.next();
      inFlight.add(pool.submit(() -> compute(piece)));
    }
  }

  /**
   * Straight into an array of the piece's length (no growing buffer, no copy of it at the end); bytes
   * beyond it are not kept, and {@link BlockProcessor#writePrimary} fails the block for them.
   */
  private static byte[] compute(Piece piece) {
    byte[] block = new byte[Math.toIntExact(piece.length())];
    int[] filled = {0};
    try {
      BlockProcessor.writePrimary(piece, (bytes, length) -> {
        int kept = Math.min(length, block.length - filled[0]);
        System.arraycopy(bytes, 0, block, filled[0], kept);
        filled[0] += kept;
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return block;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
