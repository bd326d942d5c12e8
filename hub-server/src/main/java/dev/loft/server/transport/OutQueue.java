package dev.loft.server.transport;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Predicate;

/**
 * A connection's outbound queue in place of the library's {@code LinkedBlockingQueue}, whose every
 * {@code peek}, {@code poll} and iteration takes a lock that the threads offering frames take too:
 * under fan-out the selector (writing) and the decoder threads (queueing) parked and woke each other
 * on it for about a quarter of the hub's CPU (docs/benchmarks.md, issue 11). This one is
 * lock-free ({@link LinkedTransferQueue}) and keeps its size in a counter, because the outbound
 * bound reads it for every frame sent and the lock-free queue's own {@code size()} walks the nodes.
 *
 * <p>Only the operations the library and the link use are kept exact; the bulk removals and
 * transfers, which would bypass the counter, are refused.
 */
final class OutQueue extends LinkedTransferQueue<ByteBuffer> {
  private static final AtomicIntegerFieldUpdater<OutQueue> SIZE =
      AtomicIntegerFieldUpdater.newUpdater(OutQueue.class, "size");
  private volatile int size; // through SIZE, not an AtomicInteger: an idle peer's heap counts

  @Override
  public boolean offer(ByteBuffer e) {
    super.offer(e); // unbounded: always true (the hub's own bounds are per peer, in bytes and frames)
    SIZE.incrementAndGet(this);
    return true;
  }

  @Override
  public boolean offer(ByteBuffer e, long timeout, TimeUnit unit) {
    return offer(e);
  }

  @Override
  public boolean add(ByteBuffer e) {
    return offer(e);
  }

  @Override
  public void put(ByteBuffer e) {
    offer(e);
  }

  @Override
  public ByteBuffer poll() {
    return counted(super.poll());
  }

  @Override
  public ByteBuffer poll(long timeout, TimeUnit unit) throws InterruptedException {
    return counted(super.poll(timeout, unit));
  }

  @Override
  public ByteBuffer take() throws InterruptedException {
    return counted(super.take());
  }

  @Override
  public boolean remove(Object o) {
    boolean removed = super.remove(o);
    if (removed) {
      SIZE.decrementAndGet(this);
    }
    return removed;
  }

  @Override
  public void clear() {
    while (poll() != null) {
      // each poll counts itself
    }
  }

  @Override
  public int size() {
    return Math.max(0, size); // a poll racing an offer may briefly see -1
  }

  /**
   * Read-only: an iterator's {@code remove} of a frame the selector polled meanwhile removes
   * nothing and says nothing, so counting it would leave the size one low for good. Removal
   * behind the head is {@link #dropAllButHead}.
   */
  @Override
  public Iterator<ByteBuffer> iterator() {
    Iterator<ByteBuffer> it = super.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public ByteBuffer next() {
        return it.next();
      }
    };
  }

  /**
   * Removes every frame but the head, which the selector may be writing (an eviction frees a
   * backlog at once). The count is then taken from the nodes themselves, O(n) once per eviction:
   * a frame the selector polled meanwhile is not counted twice.
   */
  void dropAllButHead() {
    Iterator<ByteBuffer> it = super.iterator();
    if (it.hasNext()) {
      it.next();
      while (it.hasNext()) {
        it.next();
        it.remove();
      }
    }
    size = super.size();
  }

  @Override
  public int drainTo(Collection<? super ByteBuffer> c) {
    return drainTo(c, Integer.MAX_VALUE);
  }

  @Override
  public int drainTo(Collection<? super ByteBuffer> c, int max) {
    int n = 0;
    ByteBuffer b;
    while (n < max && (b = poll()) != null) {
      c.add(b);
      n++;
    }
    return n;
  }

  @Override
  public boolean removeIf(Predicate<? super ByteBuffer> filter) {
    throw new UnsupportedOperationException("bypasses the size counter");
  }

  @Override
  public boolean removeAll(Collection<?> c) {
    throw new UnsupportedOperationException("bypasses the size counter");
  }

  @Override
  public boolean retainAll(Collection<?> c) {
    throw new UnsupportedOperationException("bypasses the size counter");
  }

  @Override
  public void transfer(ByteBuffer e) {
    throw new UnsupportedOperationException("bypasses the size counter");
  }

  @Override
  public boolean tryTransfer(ByteBuffer e) {
    throw new UnsupportedOperationException("bypasses the size counter");
  }

  @Override
  public boolean tryTransfer(ByteBuffer e, long timeout, TimeUnit unit) {
    throw new UnsupportedOperationException("bypasses the size counter");
  }

  private ByteBuffer counted(ByteBuffer polled) {
    if (polled != null) {
      SIZE.decrementAndGet(this);
    }
    return polled;
  }
}
