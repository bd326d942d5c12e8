package dev.loft.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests sent on the current connection and not yet answered, by wire id. Bounded: {@link #add}
 * refuses past the limit instead of growing. Emptied by {@link #drain()} when the connection goes.
 *
 * <p>Threads: {@link #add} runs under the client lock (so the size check is exact); answers remove
 * entries from the socket's read thread and timeouts from the event thread, without the lock.
 */
final class PendingRequests {
  private final int max;
  private final ConcurrentHashMap<String, Request> byId = new ConcurrentHashMap<>();

  PendingRequests(int max) {
    this.max = max;
  }

  /** Adds a user request; false when the map is full. */
  boolean add(Request request) {
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
  void addInternal(Request request) {
    byId.put(request.id, request);
  }

  /** Removes and returns the request answered by {@code id}, or null (late or unknown). */
  Request take(String id) {
    return id == null ? null : byId.remove(id);
  }

  void remove(Request request) {
    byId.remove(request.id, request);
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

  int size() {
    return byId.size();
  }
}
