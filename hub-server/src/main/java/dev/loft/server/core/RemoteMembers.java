package dev.loft.server.core;

import dev.loft.protocol.RawJson;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Peers announced on other hubs, in the networks this hub has members in: what discovery,
 * signaling and presence need to reach them. Learned from the network channels (joins, leaves,
 * syncs), forgotten when the network has no local member left (the channel is no longer
 * followed), and per hub when that hub stops or its heartbeat has not been seen for a TTL.
 *
 * <p>Bounded: at most {@code maxRemotePeers} entries in all; past it a join is not recorded (the
 * peer is then unreachable from here) and counted by the caller.
 */
final class RemoteMembers {
  /**
   * One remote peer: the hub that holds it, its announce data as that hub stamped it, and when it
   * connected there (which of two holders of one id came first).
   */
  record Member(String peerId, String node, RawJson data, long connectedAtMillis) {
    /** True when this holder of the id came before {@code other} (connect time, then hub id). */
    boolean before(Member other) {
      return connectedAtMillis < other.connectedAtMillis
          || (connectedAtMillis == other.connectedAtMillis && node.compareTo(other.node) < 0);
    }
  }

  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Member>> byNetwork = new ConcurrentHashMap<>();
  /** Hub id to when its last heartbeat (or any message) was seen, in ticker nanoseconds. */
  private final ConcurrentHashMap<String, Long> lastSeen = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int maxRemotePeers;
  private final LongSupplier ticker;

  RemoteMembers(int maxRemotePeers, LongSupplier ticker) {
    this.maxRemotePeers = maxRemotePeers;
    this.ticker = ticker;
  }

  /** Gives every known hub a fresh TTL (this hub's own link was down: it could not hear them). */
  void seenAllNow() {
    long now = ticker.getAsLong();
    lastSeen.replaceAll((node, at) -> now);
  }

  /** Notes that {@code node} is alive now. */
  void seen(String node) {
    lastSeen.put(node, ticker.getAsLong());
  }

  /**
   * Records a remote member; false when the cap refused it. A known one is updated in place; of two
   * hubs holding one id, the first holder is kept (the other's connection is being refused).
   */
  /** What {@link #put} did. */
  enum Put {
    /** Not known before: to be introduced to this hub's members. */
    NEW,
    /** Known already (updated, or kept as the id's first holder). */
    KNOWN,
    /** Not recorded: {@code maxRemotePeers} reached. */
    REFUSED
  }

  Put put(String network, Member member) {
    Put[] result = {Put.KNOWN};
    byNetwork.compute(network, (name, members) -> {
      if (members == null) {
        members = new ConcurrentHashMap<>();
      }
      Member known = members.get(member.peerId());
      if (known != null) {
        if (known.node().equals(member.node()) || member.before(known)) {
          members.put(member.peerId(), member);
        }
      } else if (size.get() >= maxRemotePeers) {
        result[0] = Put.REFUSED;
      } else {
        members.put(member.peerId(), member);
        size.incrementAndGet();
        result[0] = Put.NEW;
      }
      return members.isEmpty() ? null : members;
    });
    return result[0];
  }

  /** Forgets a remote member if {@code node} still holds it; returns it, or null. */
  Member remove(String network, String peerId, String node) {
    Member[] removed = {null};
    byNetwork.computeIfPresent(network, (name, members) -> {
      Member m = members.get(peerId);
      if (m != null && m.node().equals(node)) {
        members.remove(peerId);
        size.decrementAndGet();
        removed[0] = m;
      }
      return members.isEmpty() ? null : members;
    });
    return removed[0];
  }

  Member get(String network, String peerId) {
    Map<String, Member> members = byNetwork.get(network);
    return members == null ? null : members.get(peerId);
  }

  Collection<Member> members(String network) {
    Map<String, Member> members = byNetwork.get(network);
    return members == null ? Collections.emptyList() : members.values();
  }

  /** Forgets a whole network (no local member left: its channel is no longer followed). */
  void forgetNetwork(String network) {
    Map<String, Member> members = byNetwork.remove(network);
    if (members != null) {
      size.addAndGet(-members.size());
    }
  }

  /**
   * Forgets every member {@code node} held and the node itself; returns them by network, so that
   * local members can be told they left.
   */
  Map<String, List<Member>> forgetNode(String node) {
    lastSeen.remove(node);
    Map<String, List<Member>> gone = new java.util.HashMap<>();
    for (String network : byNetwork.keySet()) {
      byNetwork.computeIfPresent(network, (name, members) -> {
        for (Member m : members.values()) {
          if (m.node().equals(node) && members.remove(m.peerId(), m)) {
            size.decrementAndGet();
            gone.computeIfAbsent(network, n -> new ArrayList<>()).add(m);
          }
        }
        return members.isEmpty() ? null : members;
      });
    }
    return gone;
  }

  /** Hubs not heard from for {@code ttlNanos}: to be forgotten. */
  List<String> silentNodes(long ttlNanos) {
    long now = ticker.getAsLong();
    List<String> silent = new ArrayList<>();
    lastSeen.forEach((node, at) -> {
      if (now - at > ttlNanos) {
        silent.add(node);
      }
    });
    return silent;
  }

  int size() {
    return size.get();
  }

  int nodes() {
    return lastSeen.size();
  }
}
