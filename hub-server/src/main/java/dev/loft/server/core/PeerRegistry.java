package dev.loft.server.core;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admitted peers by id, and how many each remote address holds. Entries are removed on close;
 * per-address counters are removed when they reach zero, so the maps never only grow.
 */
public final class PeerRegistry {
  /** Why an admission was refused. */
  public enum Refusal {
    NONE,
    MAX_PEERS,
    PER_ADDRESS,
    DUPLICATE
  }

  private final ConcurrentHashMap<String, Peer> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final int maxPeers;
  private final int maxPerAddress;

  PeerRegistry(int maxPeers, int maxPerAddress) {
    this.maxPeers = maxPeers;
    this.maxPerAddress = maxPerAddress;
  }

  /** Reserves a slot for one more peer from {@code address}; release it if admission fails. */
  Refusal reserve(InetAddress address) {
    if (count.incrementAndGet() > maxPeers) {
      count.decrementAndGet();
      return Refusal.MAX_PEERS;
    }
    boolean[] over = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          AtomicInteger c = n == null ? new AtomicInteger() : n;
          if (c.get() >= maxPerAddress) {
            over[0] = true;
            return n;
          }
          c.incrementAndGet();
          return c;
        });
    if (over[0]) {
      count.decrementAndGet();
      return Refusal.PER_ADDRESS;
    }
    return Refusal.NONE;
  }

  /** Gives back a slot taken by {@link #reserve}. */
  void release(InetAddress address) {
    count.decrementAndGet();
    perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /**
   * Registers {@code peer} under its id. If the id is held by a peer whose link is still open,
   * refuses (PeerPigeon's policy); if the holder's link is no longer open, returns it as
   * {@code replaced[0]} and takes its place.
   */
  Refusal register(Peer peer, Peer[] replaced) {
    boolean[] duplicate = {false};
    byId.compute(
        peer.id(),
        (id, existing) -> {
          if (existing == null || existing.isClosing() || !existing.link().isOpen()) {
            replaced[0] = existing;
            return peer;
          }
          duplicate[0] = true;
          return existing;
        });
    return duplicate[0] ? Refusal.DUPLICATE : Refusal.NONE;
  }

  /** Removes {@code peer} if it is still the one registered under its id. */
  void unregister(Peer peer) {
    byId.remove(peer.id(), peer);
  }

  public Peer get(String id) {
    return byId.get(id);
  }

  public int size() {
    return count.get();
  }

  public int registered() {
    return byId.size();
  }

  public int addresses() {
    return perAddress.size();
  }

  public Collection<Peer> all() {
    return Collections.unmodifiableCollection(byId.values());
  }
}
