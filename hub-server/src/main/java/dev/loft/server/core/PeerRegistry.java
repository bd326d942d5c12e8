package dev.loft.server.core;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Admitted peers by id, and how many each remote address holds. Entries are removed on close;
 * per-address counters are removed when they reach zero, so the maps never only grow.
 */
final class PeerRegistry {
  /** Why an admission was refused. */
  public enum Refusal {
    NONE,
    MAX_PEERS,
    PER_ADDRESS,
    DUPLICATE
  }

  private final ConcurrentHashMap<String, Peer> byId = new ConcurrentHashMap<>();
  /**
   * One address's share of the hub-wide tables: its peers, their subscriptions, the networks they
   * are in. Changed only inside {@code perAddress.compute} for that address (the map's bin lock).
   */
  private static final class AddressUsage {
    int peers;
    int subscriptions;
    int networks;

    boolean idle() {
      return peers == 0 && subscriptions == 0 && networks == 0;
    }
  }

  private final ConcurrentHashMap<InetAddress, AddressUsage> perAddress = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final int maxPeers;
  private final int maxPerAddress;
  private final int maxSubscriptionsPerAddress;
  private final int maxNetworksPerAddress;

  PeerRegistry(int maxPeers, int maxPerAddress, int maxSubscriptionsPerAddress, int maxNetworksPerAddress) {
    this.maxPeers = maxPeers;
    this.maxPerAddress = maxPerAddress;
    this.maxSubscriptionsPerAddress = maxSubscriptionsPerAddress;
    this.maxNetworksPerAddress = maxNetworksPerAddress;
  }

  /** Takes one more of an address's share; false (nothing taken) when it holds {@code max}. */
  private boolean take(InetAddress address, ToIntFunction<AddressUsage> held,
      Consumer<AddressUsage> increment, int max) {
    boolean[] taken = {false};
    perAddress.compute(address, (a, u) -> {
      AddressUsage usage = u == null ? new AddressUsage() : u;
      if (held.applyAsInt(usage) < max) {
        increment.accept(usage);
        taken[0] = true;
      }
      return usage.idle() ? null : usage;
    });
    return taken[0];
  }

  private void give(InetAddress address, Consumer<AddressUsage> decrement) {
    perAddress.computeIfPresent(address, (a, u) -> {
      decrement.accept(u);
      return u.idle() ? null : u;
    });
  }

  /** One more subscription for a peer of {@code address}; false past its share. */
  boolean subscribe(InetAddress address) {
    return take(address, u -> u.subscriptions, u -> u.subscriptions++, maxSubscriptionsPerAddress);
  }

  void unsubscribe(InetAddress address) {
    give(address, u -> u.subscriptions--);
  }

  /** A peer of {@code address} enters a network; false past its share. */
  boolean joinNetwork(InetAddress address) {
    return take(address, u -> u.networks, u -> u.networks++, maxNetworksPerAddress);
  }

  void leaveNetwork(InetAddress address) {
    give(address, u -> u.networks--);
  }

  /** Reserves a slot for one more peer from {@code address}; release it if admission fails. */
  Refusal reserve(InetAddress address) {
    if (count.incrementAndGet() > maxPeers) {
      count.decrementAndGet();
      return Refusal.MAX_PEERS;
    }
    if (!take(address, u -> u.peers, u -> u.peers++, maxPerAddress)) {
      count.decrementAndGet();
      return Refusal.PER_ADDRESS;
    }
    return Refusal.NONE;
  }

  /** Gives back a slot taken by {@link #reserve}. */
  void release(InetAddress address) {
    count.decrementAndGet();
    give(address, u -> u.peers--);
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
