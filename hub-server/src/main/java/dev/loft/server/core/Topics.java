package dev.loft.server.core;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Topic subscriptions. Each topic keeps its subscribers in an array replaced on change
 * (copy-on-write), so a publish walks a plain array without locking; changes to one topic are
 * serialized by the map. A topic exists while it has a subscriber.
 */
final class Topics {
  private static final Peer[] NONE = new Peer[0];

  private final ConcurrentHashMap<String, Peer[]> byName = new ConcurrentHashMap<>();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final int maxTopics;
  /** Set once, before the hub admits a peer (the cluster is made after the registries). */
  private volatile Interest interest = Interest.NONE;

  /**
   * Told when a topic gets its first subscriber here and when its last one leaves, serialized per
   * topic with the change itself (inside the map's compute): the cluster follows the topic's
   * channel exactly while the topic exists. Must not block.
   */
  interface Interest {
    Interest NONE = new Interest() {
      @Override
      public void firstSubscriber(String topic) {}

      @Override
      public void lastSubscriberLeft(String topic) {}
    };

    void firstSubscriber(String topic);

    void lastSubscriberLeft(String topic);
  }

  Topics(int maxTopics) {
    this.maxTopics = maxTopics;
  }

  void interest(Interest interest) {
    this.interest = interest;
  }

  enum Result {
    ADDED,
    ALREADY,
    HUB_LIMIT
  }

  Result subscribe(String topic, Peer peer) {
    Result[] result = {Result.ADDED};
    byName.compute(
        topic,
        (name, subs) -> {
          if (subs == null) {
            if (byName.size() >= maxTopics) {
              result[0] = Result.HUB_LIMIT;
              return null;
            }
            subs = NONE;
            interest.firstSubscriber(name);
          }
          for (Peer p : subs) {
            if (p == peer) {
              result[0] = Result.ALREADY;
              return subs;
            }
          }
          Peer[] next = Arrays.copyOf(subs, subs.length + 1);
          next[subs.length] = peer;
          return next;
        });
    if (result[0] == Result.ADDED) {
      subscriptions.incrementAndGet();
    }
    return result[0];
  }

  boolean unsubscribe(String topic, Peer peer) {
    boolean[] removed = {false};
    byName.computeIfPresent(
        topic,
        (name, subs) -> {
          int i = indexOf(subs, peer);
          if (i < 0) {
            return subs;
          }
          removed[0] = true;
          if (subs.length == 1) {
            interest.lastSubscriberLeft(name);
            return null;
          }
          Peer[] next = new Peer[subs.length - 1];
          System.arraycopy(subs, 0, next, 0, i);
          System.arraycopy(subs, i + 1, next, i, subs.length - i - 1);
          return next;
        });
    if (removed[0]) {
      subscriptions.decrementAndGet();
    }
    return removed[0];
  }

  /** The subscribers of {@code topic} at this moment (do not modify). */
  public Peer[] subscribers(String topic) {
    Peer[] subs = byName.get(topic);
    return subs == null ? NONE : subs;
  }

  public int size() {
    return byName.size();
  }

  public int subscriptions() {
    return subscriptions.get();
  }

  private static int indexOf(Peer[] subs, Peer peer) {
    for (int i = 0; i < subs.length; i++) {
      if (subs[i] == peer) {
        return i;
      }
    }
    return -1;
  }
}
