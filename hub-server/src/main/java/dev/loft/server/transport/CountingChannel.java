package dev.loft.server.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The socket as Java-WebSocket sees it: counts bytes in and out per connection (the outbound
 * count is what makes a per-peer backlog in bytes measurable, since the library's queue is not),
 * and gathers queued frames into one {@code write} system call.
 *
 * <p>A direct write from a sending thread that the socket takes only in part leaves its remainder
 * in {@link #head}: the very next bytes on the wire, whatever other threads queued meanwhile (the
 * library's pongs and close frames, the selector path), so a frame is never split by another.
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
  // Volatile fields behind updaters rather than AtomicLong objects: an idle peer's heap counts.
  private static final AtomicLongFieldUpdater<CountingChannel> BYTES_WRITTEN =
      AtomicLongFieldUpdater.newUpdater(CountingChannel.class, "bytesWritten");
  private static final AtomicLongFieldUpdater<CountingChannel> BYTES_READ =
      AtomicLongFieldUpdater.newUpdater(CountingChannel.class, "bytesRead");
  private volatile long bytesWritten;
  private volatile long bytesRead;
  /** The unwritten rest of a direct write, written before anything else. Guarded by this. */
  private ByteBuffer head;
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
      BYTES_READ.addAndGet(this, n);
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
    ByteBuffer first = head;
    if (first != null && !first.hasRemaining()) {
      first = head = null;
    }
    if (first == null && !src.hasRemaining()) {
      return 0;
    }
    ByteBuffer[] gather = GATHER.get();
    int count = 0;
    long total = 0;
    if (first != null) {
      gather[count++] = first;
      total += first.remaining();
    }
    if (src != first && src.hasRemaining()) {
      gather[count++] = src;
      total += src.remaining();
    }
    Iterator<ByteBuffer> queued = outQueue.iterator();
    if (queued.hasNext() && queued.next() == src) {
      while (count < MAX_GATHER && total < MAX_GATHER_BYTES && queued.hasNext()) {
        ByteBuffer next = queued.next();
        if (next != first) { // the head is in the queue too (see JwsPeerLink#writeNow), once is enough
          gather[count++] = next;
          total += next.remaining();
        }
      }
    }
    long written;
    try {
      written = count == 1 ? socket.write(gather[0]) : socket.write(gather, 0, count);
    } finally {
      Arrays.fill(gather, 0, count, null); // keep no frame alive past its write
    }
    if (first != null && !first.hasRemaining()) {
      head = null;
    }
    BYTES_WRITTEN.addAndGet(this, written);
    return (int) Math.min(written, Integer.MAX_VALUE);
  }

  /** True while a direct write's remainder waits to be written first. Caller holds this lock. */
  boolean hasHeadLocked() {
    assert Thread.holdsLock(this);
    return head != null && head.hasRemaining();
  }

  /** Makes {@code rest} the next bytes written. Caller holds this lock (see {@link #writeDirect}). */
  void headLocked(ByteBuffer rest) {
    assert Thread.holdsLock(this);
    assert head == null || !head.hasRemaining();
    head = rest;
  }

  /** Drops the remainder (the socket is being closed). */
  synchronized void clearHead() {
    head = null;
  }

  /**
   * Writes from a sending thread, bypassing the selector, when nothing is queued (the caller holds
   * this channel's lock, which the selector's {@link #write} also takes, so bytes never interleave).
   */
  int writeDirect(ByteBuffer src) throws IOException {
    int n = socket.write(src);
    if (n > 0) {
      BYTES_WRITTEN.addAndGet(this, n);
    }
    return n;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  long bytesRead() {
    return bytesRead;
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
