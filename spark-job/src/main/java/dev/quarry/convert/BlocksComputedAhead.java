package dev.quarry.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The primary bytes of a shard's blocks ({@link Piece#block()}), computed again from the input on the
 * JVM's {@link ShardBlockThreads} ahead of the one thread that writes the shard, and handed out in
 * writing order. A model that fits one shard (a 7B model in 4 bits) is written by one task: without
 * this, one core would quantize the whole model while the others wait. At most the writer's
 * {@link ShardBlockThreads#window()} of blocks are held at once, so memory grows with the block size,
 * not with the shard.
 */
final class BlocksComputedAhead implements AutoCloseable {
  private final Iterator<Piece> toSubmit;
  private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
  private final ShardBlockThreads threads;

  /**
   * @param blocks the block pieces in the order {@link #next()} will be called for them
   * @param threads how many threads this JVM computes blocks on (its executor's cores)
   */
  BlocksComputedAhead(List<Piece> blocks, int threads) {
    this.toSubmit = blocks.iterator();
    this.threads = ShardBlockThreads.join(threads);
    try {
      fill();
    } catch (RuntimeException e) {
      this.threads.leave();
      throw e;
    }
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
    int window = threads.window();
    while (inFlight.size() < window && toSubmit.hasNext()) {
      Piece piece = toSubmit.next();
      inFlight.add(threads.submit(() -> compute(piece)));
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

  /** Cancels the blocks still in flight (a failed write) and gives the threads to the other writers. */
  @Override
  public void close() {
    for (Future<byte[]> f : inFlight) {
      f.cancel(true);
    }
    inFlight.clear();
    threads.leave();
  }
}
