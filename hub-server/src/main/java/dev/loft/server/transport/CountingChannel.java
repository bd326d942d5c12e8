package dev.loft.server.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The socket as Java-WebSocket sees it: counts bytes in and out per connection (the outbound
 * count is what makes a per-peer backlog in bytes measurable, since the library's queue is not),
 * and gathers queued frames into one {@code write} system call.
 *
 * <p>Threads: {@link #write} and {@link #read} run on the selector thread (the library's
 * {@code SocketChannelIOHelper}); {@link #writeDirect} on a sending thread. Writes hold this
 * object's monitor. The counters are read by any thread.
 */
final class CountingChannel implements ByteChannel {
  /** At most this many queued frames go into one gathering write. */
  private static final int MAX_GATHER = 64;
  /** And at most about this many bytes, so one slow socket cannot hog the selector. */
  private static final long MAX_GATHER_BYTES = 256 * 1024;

  private final SocketChannel socket;
  private final BlockingQueue<ByteBuffer> outQueue;
  private final AtomicLong bytesWritten = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  /** Scratch for gathering writes; one per selector thread, not per connection (idle peers cost). */
  private static final ThreadLocal<ByteBuffer[]> GATHER = ThreadLocal.withInitial(() -> new ByteBuffer[MAX_GATHER]);

  CountingChannel(SocketChannel socket, BlockingQueue<ByteBuffer> outQueue) {
    this.socket = socket;
    this.outQueue = outQueue;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = socket.read(dst);
    if (n > 0) {
      bytesRead.addAndGet(n);
    }
    return n;
  }

  /**
   * Writes {@code src}, which the library always takes from the head of the connection's queue,
   * together with the frames queued behind it. Frames fully written here are left with nothing
   * remaining, so the library's loop polls them without another system call.
   */
  @Override
  public synchronized int write(ByteBuffer src) throws IOException {
    if (!src.hasRemaining()) {
      return 0;
    }
    ByteBuffer[] gather = GATHER.get();
    int count = 1;
    long total = src.remaining();
    gather[0] = src;
    Iterator<ByteBuffer> queued = outQueue.iterator();
    if (queued.hasNext() && queued.next() == src) {
      while (count < MAX_GATHER && total < MAX_GATHER_BYTES && queued.hasNext()) {
        ByteBuffer next = queued.next();
        gather[count++] = next;
        total += next.remaining();
      }
    }
    long written;
    try {
      written = count == 1 ? socket.write(src) : socket.write(gather, 0, count);
    } finally {
      Arrays.fill(gather, 0, count, null); // keep no frame alive past its write
    }
    bytesWritten.addAndGet(written);
    return (int) Math.min(written, Integer.MAX_VALUE);
  }

  /**
   * Writes from a sending thread, bypassing the selector, when nothing is queued (the caller holds
   * this channel's lock, which the selector's {@link #write} also takes, so bytes never interleave).
   */
  int writeDirect(ByteBuffer src) throws IOException {
    int n = socket.write(src);
    if (n > 0) {
      bytesWritten.addAndGet(n);
    }
    return n;
  }

  long bytesWritten() {
    return bytesWritten.get();
  }

  long bytesRead() {
    return bytesRead.get();
  }


  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
