package dev.loft.server.core;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Networks (PeerPigeon namespaces) and their announced members. A network exists while it has a
 * member: the last one to leave removes it, atomically with the leave.
 */
final class Networks {
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Peer>> byName = new ConcurrentHashMap<>();
  private final int maxNetworks;
  /** Members of all networks, kept with every join and leave so that stats need no walk. */
  private final AtomicInteger memberCount = new AtomicInteger();
  /**
   * Announces into one network are serialized (join and discovery together) so that two peers
   * announcing at once on two decoder threads are introduced exactly once, as on PeerPigeon's
   * single-threaded hub. Striped: a fixed number of locks, never one per network.
   */
  private final Object[] announceLocks = new Object[64];

  /** Set once, before the hub admits a peer (the cluster is made after the registries). */
  private volatile Interest interest = Interest.NONE;

  /** Told when a network gets its first member here and loses its last; see {@link Topics.Interest}. */
  interface Interest {
    Interest NONE = new Interest() {
      @Override
      public void firstMember(String network) {}

      @Override
      public void lastMemberLeft(String network) {}
    };

    void firstMember(String network);

    void lastMemberLeft(String network);
  }

  void interest(Interest interest) {
    this.interest = interest;
  }

  Networks(int maxNetworks) {
    this.maxNetworks = maxNetworks;
    for (int i = 0; i < announceLocks.length; i++) {
      announceLocks[i] = new Object();
    }
  }

  /** The lock that serializes announces into {@code network}. */
  Object announceLock(String network) {
    return announceLocks[(network.hashCode() & 0x7fffffff) % announceLocks.length];
  }

  /** Adds {@code peer} to {@code network}; false if that would create a network past the cap. */
  boolean join(String network, Peer peer) {
    boolean[] refused = {false};
    byName.compute(
        network,
        (name, members) -> {
          if (members == null) {
            if (byName.size() >= maxNetworks) {
              refused[0] = true;
              return null;
            }
            members = new ConcurrentHashMap<>();
            interest.firstMember(name);
          }
          if (members.put(peer.id(), peer) == null) {
            memberCount.incrementAndGet();
          }
          return members;
        });
    return !refused[0];
  }

  /** Removes {@code peer} from {@code network}; true if it was a member. */
  boolean leave(String network, Peer peer) {
    boolean[] removed = {false};
    byName.computeIfPresent(
        network,
        (name, members) -> {
          removed[0] = members.remove(peer.id(), peer);
          if (removed[0]) {
            memberCount.decrementAndGet();
          }
          if (members.isEmpty()) {
            interest.lastMemberLeft(name);
            return null;
          }
          return members;
        });
    return removed[0];
  }

  /** The members of {@code network} (a live view; empty if it does not exist). */
  public Collection<Peer> members(String network) {
    ConcurrentHashMap<String, Peer> members = byName.get(network);
    return members == null ? Collections.emptyList() : members.values();
  }

  /** The member with {@code peerId} in {@code network}, or null. */
  public Peer member(String network, String peerId) {
    ConcurrentHashMap<String, Peer> members = byName.get(network);
    return members == null ? null : members.get(peerId);
  }

  public int size() {
    return byName.size();
  }

  /** The networks with a member now (a live view). */
  java.util.Set<String> names() {
    return byName.keySet();
  }

  public int memberCount() {
    return memberCount.get();
  }
}
