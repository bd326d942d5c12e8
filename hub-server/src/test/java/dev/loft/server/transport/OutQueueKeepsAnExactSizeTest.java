package dev.loft.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The outbound bound reads a connection's queued frames for every frame sent: the lock-free queue
 * that replaced the library's must keep that count exact through every way a frame leaves it
 * (the selector's poll, the eviction's removal behind the head, the close's clear), or a peer
 * could pass {@code --max-queued-frames} unseen, or be evicted for frames it no longer has.
 */
class OutQueueKeepsAnExactSizeTest {

  private static ByteBuffer frame() {
    return ByteBuffer.allocate(8);
  }

  @Test
  void everyWayOutCountsItself() {
    OutQueue q = new OutQueue();
    for (int i = 0; i < 10; i++) {
      q.add(frame());
    }
    q.put(frame());
    q.offer(frame());
    assertEquals(12, q.size());
    q.poll();
    assertEquals(11, q.size());
    ByteBuffer head = q.peek();
    q.dropAllButHead(); // what an eviction does: everything behind the head goes
    assertEquals(1, q.size());
    assertSame(head, q.peek(), "the head, maybe half written, stays");
    assertEquals(1, q.drainTo(new ArrayList<>()));
    assertEquals(0, q.size());
    q.add(frame());
    q.add(frame());
    q.clear();
    assertEquals(0, q.size());
    assertEquals(null, q.poll(), "polling an empty queue leaves the count at zero");
    assertEquals(0, q.size());
  }

  @Test
  void bulkRemovalsThatWouldBypassTheCountAreRefused() {
    OutQueue q = new OutQueue();
    q.add(frame());
    assertThrows(UnsupportedOperationException.class, () -> q.removeIf(b -> true));
    assertThrows(UnsupportedOperationException.class, () -> q.removeAll(List.of()));
    assertThrows(UnsupportedOperationException.class, () -> q.retainAll(List.of()));
    assertThrows(UnsupportedOperationException.class, () -> q.tryTransfer(frame()));
    Iterator<ByteBuffer> it = q.iterator();
    it.next();
    // a removal racing the selector's poll removes nothing and says nothing: not offered at all
    assertThrows(UnsupportedOperationException.class, it::remove);
    assertEquals(1, q.size());
  }

  @Test
  void aWriterAndAPollerRacingLeaveTheCountAtWhatIsLeft() throws Exception {
    OutQueue q = new OutQueue();
    int n = 200_000;
    CountDownLatch done = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      for (int i = 0; i < n; i++) {
        q.add(frame());
      }
      done.countDown();
    });
    writer.start();
    int polled = 0;
    while (done.getCount() > 0 || !q.isEmpty()) { // the selector's side: drain what arrives
      if (q.poll() != null) {
        polled++;
      }
    }
    assertEquals(true, done.await(10, TimeUnit.SECONDS));
    assertEquals(n, polled);
    assertEquals(0, q.size());
  }
}
