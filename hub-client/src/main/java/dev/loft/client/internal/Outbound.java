package dev.loft.client.internal;

import dev.loft.client.BufferFullException;
import dev.loft.client.HubClientException;
import dev.loft.client.HubClientOptions;
import dev.loft.protocol.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the client sends: written to the connected socket at once, or held in the bounded {@link
 * OutgoingBuffer} until the next connection flushes it in call order. A request's timeout starts
 * when it is accepted here, sent or buffered.
 *
 * <p>Threads: the buffer is guarded by the connection lock, which every {@code *Locked} method
 * expects held (the connection decides, under it, which socket counts as connected); a request
 * timing out on the event thread takes the lock to give its place back.
 */
final class Outbound {
  private final HubClientOptions options;
  private final ReentrantLock lock;
  private final PendingRequests requests;
  // ---- guarded by lock
  private final OutgoingBuffer buffer;

  Outbound(HubClientOptions options, ReentrantLock lock, PendingRequests requests) {
    this.options = options;
    this.lock = lock;
    this.requests = requests;
    this.buffer = new OutgoingBuffer(options.maxBufferedFrames(), options.maxBufferedBytes());
  }

  /** Why the hub would refuse {@code text} whatever the state, or null. */
  static Throwable tooLong(String text) {
    int max = Connection.CODEC.limits().maxFrameChars();
    return text.length() > max ? new HubClientException("frame of " + text.length() + " characters exceeds the hub's " + max) : null;
  }

  /**
   * Sends on {@code connected}, else buffers; returns why {@code text} was refused (the pending
   * map or the buffer is full), or null when it was sent or buffered.
   *
   * @param connected the socket when the connection is up, else null
   * @param r the request {@code text} carries, or null for fire-and-forget
   */
  Throwable sendOrBufferLocked(HubSocket connected, String text, Request r) {
    assert lock.isHeldByCurrentThread();
    boolean sent = false;
    if (connected != null) {
      if (r != null && !requests.addLocked(r)) {
        return requests.full();
      }
      sent = connected.trySend(text);
      if (!sent && r != null) {
        requests.remove(r); // closing under us: keep it for the next connection instead
      }
    }
    if (!sent && !buffer.offer(new OutgoingBuffer.Entry(text, OutgoingBuffer.utf8Length(text), r))) {
      return new BufferFullException(
          "outgoing buffer full while disconnected ("
              + buffer.size() + " frames, " + buffer.bytes() + " bytes; limits "
              + options.maxBufferedFrames() + " frames, " + options.maxBufferedBytes() + " bytes)");
    }
    if (r != null) {
      requests.startTimeout(r, this::forgetBuffered);
    }
    return null;
  }

  /** Sends a frame the client makes itself while connecting; bypasses the user bound. */
  void sendInternalLocked(HubSocket s, Frame frame, Request r) {
    assert lock.isHeldByCurrentThread();
    requests.addInternalLocked(r);
    // If the socket is already closing, the request stays pending: onClosed for this socket is
    // still to come (it runs under this lock) and fails it outside the lock, as futures must be.
    s.trySend(Connection.CODEC.encode(frame));
    requests.startTimeout(r, this::forgetBuffered);
  }

  /**
   * Sends everything buffered on {@code s}, in call order. Returns the requests refused because
   * the pending map is full, to be failed outside the lock.
   */
  List<Request> flushLocked(HubSocket s) {
    assert lock.isHeldByCurrentThread();
    List<Request> refused = new ArrayList<>();
    for (OutgoingBuffer.Entry entry : buffer.drain()) {
      Request r = entry.request();
      if (r != null) {
        if (r.isDone()) {
          continue; // timed out while buffered
        }
        if (!requests.addLocked(r)) {
          refused.add(r);
          continue;
        }
      }
      // If the socket dies mid-flush, the requests already added fail as ConnectionLost.
      s.trySend(entry.text());
    }
    return refused;
  }

  /** Empties the buffer for good (the client closes); returns its requests, to fail outside the lock. */
  List<Request> discardLocked() {
    assert lock.isHeldByCurrentThread();
    return buffer.drain().stream().map(OutgoingBuffer.Entry::request).filter(r -> r != null).toList();
  }

  /** A request that timed out while buffered gives its place back. */
  private void forgetBuffered(Request r) {
    lock.lock();
    try {
      buffer.remove(r);
    } finally {
      lock.unlock();
    }
  }

  int bufferedFrames() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }
}
