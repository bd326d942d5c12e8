package dev.loft.client.internal;

import dev.loft.bus.ListenerHandle;
import dev.loft.client.ClientClosedException;
import dev.loft.client.HubRequestException;
import dev.loft.client.Subscription;
import dev.loft.client.TopicMessage;
import dev.loft.protocol.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Topic membership: the topics this client subscribes, each with its own listener bus, and what
 * the hub is told: every topic again on each new connection, then each topic as it comes and goes.
 *
 * <p>Threads: membership and {@link #sentOn} change under the connection lock (the connection
 * decides which socket is current); the dispatcher looks entries up without it to deliver messages.
 */
final class TopicMembership {
  private final ReentrantLock lock;
  private final PendingRequests requests;
  private final Outbound outbound;
  private final InboundDispatcher inbound;
  /** Mutated under the lock; read without it when delivering messages. */
  private final ConcurrentHashMap<String, TopicEntry> entries;
  // ---- guarded by lock
  /** The current socket once it was sent every topic (new topics then go out at once), else null. */
  private HubSocket sentOn;
  private boolean closed;

  TopicMembership(
      ReentrantLock lock,
      PendingRequests requests,
      Outbound outbound,
      InboundDispatcher inbound,
      ConcurrentHashMap<String, TopicEntry> entries) {
    this.lock = lock;
    this.requests = requests;
    this.outbound = outbound;
    this.inbound = inbound;
    this.entries = entries;
  }

  /** After the announce on {@code s}: subscribes every topic; returns the answers' futures. */
  List<CompletableFuture<?>> resubscribeLocked(HubSocket s) {
    assert lock.isHeldByCurrentThread();
    sentOn = s;
    List<CompletableFuture<?>> answers = new ArrayList<>(entries.size());
    for (TopicEntry entry : entries.values()) {
      answers.add(subscribeLocked(s, entry).future);
    }
    return answers;
  }

  /** The current socket is gone: topics wait for the next connection's re-subscribe. */
  void socketGoneLocked() {
    assert lock.isHeldByCurrentThread();
    sentOn = null;
  }

  /** The client closes: no topic from now on. Returns the entries, for {@link #failClosed}. */
  List<TopicEntry> closeLocked() {
    assert lock.isHeldByCurrentThread();
    closed = true;
    sentOn = null;
    List<TopicEntry> all = new ArrayList<>(entries.values());
    entries.clear();
    return all;
  }

  /** Outside the lock: completing {@code ready()} runs the callers' callbacks. */
  void failClosed(List<TopicEntry> closedEntries, ClientClosedException error) {
    assert !lock.isHeldByCurrentThread();
    for (TopicEntry entry : closedEntries) {
      entry.ready.completeExceptionally(error);
      entry.listeners.close();
    }
  }

  Subscription subscribe(String topic, String name, Consumer<? super TopicMessage> listener) {
    lock.lock();
    try {
      if (closed) {
        throw new ClientClosedException();
      }
      TopicEntry entry = entries.get(topic);
      boolean fresh = entry == null;
      if (fresh) {
        entry = new TopicEntry(topic, inbound.newTopicBus(topic));
      }
      ListenerHandle handle;
      try {
        handle = entry.listeners.subscribe(TopicMessage.class, name, listener);
      } catch (RuntimeException e) {
        if (fresh) {
          entry.listeners.close();
        }
        throw e;
      }
      if (fresh) {
        entries.put(topic, entry);
        if (sentOn != null) {
          subscribeLocked(sentOn, entry);
        }
      }
      return new SubscriptionHandle(entry, handle, this::onSubscriptionClosed);
    } finally {
      lock.unlock();
    }
  }

  /** The last subscription of a topic closed: forget the topic and tell the hub. */
  private void onSubscriptionClosed(TopicEntry entry) {
    lock.lock();
    try {
      if (entries.get(entry.topic) != entry || entry.hasListeners()) {
        return;
      }
      entries.remove(entry.topic);
      entry.listeners.close();
      if (sentOn != null) {
        Request r = requests.newRequest("unsubscribe");
        outbound.sendInternalLocked(sentOn, new Frame.Unsubscribe(r.id, entry.topic), r);
      }
    } finally {
      lock.unlock();
    }
  }

  private Request subscribeLocked(HubSocket s, TopicEntry entry) {
    assert lock.isHeldByCurrentThread();
    Request r = requests.newRequest("subscribe");
    r.future.whenComplete(
        (ok, error) -> {
          if (error == null) {
            entry.ready.complete(null);
          } else if (error instanceof HubRequestException) {
            entry.ready.completeExceptionally(error);
          }
          // Lost or timed out: the next connection subscribes again.
        });
    outbound.sendInternalLocked(s, new Frame.Subscribe(r.id, entry.topic), r);
    return r;
  }

  Set<String> names() {
    return Set.copyOf(entries.keySet());
  }
}
