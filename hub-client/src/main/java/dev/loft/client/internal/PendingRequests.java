package dev.loft.client.internal;

import com.google.gson.JsonElement;
import dev.loft.client.BufferFullException;
import dev.loft.client.HubClientOptions;
import dev.loft.client.RequestTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Request bookkeeping: wire ids, the requests sent on the current connection and not yet answered
 * (by id), their timeouts, and the end of each one's future. Bounded: {@link #addLocked} refuses
 * past the limit instead of growing. Emptied by {@link #drain()} when the connection goes, so no
 * request outlives the connection it was sent on.
 *
 * <p>Threads: adding runs under the connection lock, which makes the size check exact (answers and
 * timeouts only ever shrink the map, so they need no lock); answers arrive on the socket's read
 * thread, timeouts on the event thread.
 */
final class PendingRequests {
  private final ReentrantLock connectionLock;
  private final int max;
  private final Duration timeout;
  private final EventThread timers;
  private final ConcurrentHashMap<String, Request> byId = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();
  private final String idPrefix = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36) + ".";

  PendingRequests(HubClientOptions options, EventThread timers, ReentrantLock connectionLock) {
    this.connectionLock = connectionLock;
    this.max = options.maxPendingRequests();
    this.timeout = options.requestTimeout();
    this.timers = timers;
  }

  /**
   * Ids are {@code <instance>.<counter>}: the hub drops a publish whose id it saw from the same
   * peer id within its dedupe window, so a restarted application reusing its peer id must not
   * reuse ids. The random instance part makes that collision practically impossible.
   */
  Request newRequest(String type) {
    return new Request(idPrefix + Long.toString(counter.incrementAndGet(), 36), type);
  }

  /** Adds a user request; false when the map is full (see {@link #full()}). */
  boolean addLocked(Request request) {
    assert connectionLock.isHeldByCurrentThread();
    if (byId.size() >= max) {
      return false;
    }
    byId.put(request.id, request);
    return true;
  }

  /**
   * Adds a request the client itself makes while connecting (announce, re-subscribe). These are
   * bounded by the number of topics, not by the user limit, so a full map cannot block a reconnect.
   */
  void addInternalLocked(Request request) {
    assert connectionLock.isHeldByCurrentThread();
    byId.put(request.id, request);
  }

  void remove(Request request) {
    byId.remove(request.id, request);
  }

  /** Why a user request was refused by {@link #addLocked}. */
  BufferFullException full() {
    return new BufferFullException("too many requests awaiting an answer (limit " + max + ")");
  }

  /**
   * Fails {@code request} after the request timeout unless it ends first; the timer goes with the
   * request (see {@link Request}). The timeout runs from the call, whether the request was sent or
   * is still buffered: {@code alsoForget} removes it from wherever else it waits.
   */
  void startTimeout(Request request, Consumer<Request> alsoForget) {
    request.setTimeout(timers.schedule(() -> expire(request, alsoForget), timeout));
  }

  private void expire(Request request, Consumer<Request> alsoForget) {
    if (request.future.completeExceptionally(new RequestTimeoutException(request.type, timeout))) {
      remove(request);
      alsoForget.accept(request);
    }
  }

  /** Completes the request that {@code id} answers; false when none waits (late or unknown). */
  boolean answer(String id, JsonElement data) {
    Request r = take(id);
    return r != null && r.future.complete(data);
  }

  /** Fails the request that {@code id} answers with an error; false when none waits. */
  boolean fail(String id, Supplier<? extends Throwable> error) {
    Request r = take(id);
    return r != null && r.future.completeExceptionally(error.get());
  }

  private Request take(String id) {
    return id == null ? null : byId.remove(id);
  }

  /** Removes and returns every pending request, for failing them outside the lock. */
  List<Request> drain() {
    List<Request> out = new ArrayList<>(byId.size());
    for (String id : List.copyOf(byId.keySet())) {
      Request r = byId.remove(id);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  /** Fails each request with its own reason. Never under the connection lock: futures run callbacks. */
  void failAll(Collection<Request> requests, Function<Request, ? extends Throwable> why) {
    assert !connectionLock.isHeldByCurrentThread();
    for (Request r : requests) {
      r.future.completeExceptionally(why.apply(r));
    }
  }

  int size() {
    return byId.size();
  }
}
