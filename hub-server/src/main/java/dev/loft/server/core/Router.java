package dev.loft.server.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.loft.bus.EventBus;
import dev.loft.protocol.ErrorCode;
import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.RawJson;
import dev.loft.server.budget.MemoryBudget;
import com.google.common.base.Utf8;
import dev.loft.server.config.HubConfig;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.link.OutboundFrame;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Handles every frame a peer sends, after rate limiting and decoding: PeerPigeon signaling and
 * Loft's extensions. Runs on the sending peer's decoder thread; never blocks.
 */
final class Router {
  private final HubConfig config;
  private final FrameCodec codec;
  private final Networks networks;
  private final Topics topics;
  private final Delivery delivery;
  private final StatStore counters;
  private final EventBus bus;
  /** (peer id, request id) of recent publishes and directs: a retried request is not delivered twice. */
  private final Cache<String, Boolean> recentRequests;
  private final PeerRegistry registry;
  private final MemoryBudget budget;
  /** Called when a peer earned an error it is not told about (its error replies ran out). */
  private final Consumer<Peer> strike;

  Router(
      HubConfig config,
      FrameCodec codec,
      Networks networks,
      Topics topics,
      Delivery delivery,
      StatStore counters,
      EventBus bus,
      Cache<String, Boolean> recentRequests,
      PeerRegistry registry,
      MemoryBudget budget,
      Consumer<Peer> strike) {
    this.registry = registry;
    this.budget = budget;
    this.strike = strike;
    this.config = config;
    this.codec = codec;
    this.networks = networks;
    this.topics = topics;
    this.delivery = delivery;
    this.counters = counters;
    this.bus = bus;
    this.recentRequests = recentRequests;
  }

  void handle(Peer peer, Frame frame) {
    if (frame instanceof Frame.Signal f) {
      signal(peer, f);
    } else if (frame instanceof Frame.Publish f) {
      publish(peer, f);
    } else if (frame instanceof Frame.Direct f) {
      direct(peer, f);
    } else if (frame instanceof Frame.Announce f) {
      announce(peer, f);
    } else if (frame instanceof Frame.Subscribe f) {
      subscribe(peer, f);
    } else if (frame instanceof Frame.Unsubscribe f) {
      unsubscribe(peer, f);
    } else if (frame instanceof Frame.Ping) {
      send(peer, new Frame.Pong(peer.id(), now()));
    } else if (frame instanceof Frame.Goodbye f) {
      goodbye(peer, f);
    } else if (frame instanceof Frame.Presence f) {
      presence(peer, f);
    } else if (frame instanceof Frame.Cleanup) {
      // PeerPigeon clients send it on teardown; its hub only logs it. Nothing to do.
    } else {
      // connected, peer-discovered, ack, message, ...: frames only the hub sends.
      replyError(peer, null, ErrorCode.UNKNOWN_TYPE,
          "'" + frame.type() + "' is a hub-to-peer frame; the hub does not route it");
    }
  }

  // ------------------------------------------------------------------------------ signaling

  private void announce(Peer peer, Frame.Announce a) {
    String network = a.networkName();
    String previous = peer.network();
    boolean changes = !network.equals(previous);
    String text = a.data() instanceof RawJson raw ? raw.text() : a.data().toString();
    if (Utf8.encodedLength(text) > config.maxAnnounceBytes()) {
      counters.increment(Stat.ANNOUNCE_TOO_LARGE);
      limitHit("maxAnnounceBytes", peer, null);
      replyError(peer, a.id(), ErrorCode.ANNOUNCE_TOO_LARGE,
          "announce data may be at most " + config.maxAnnounceBytes() + " bytes of JSON");
      return;
    }
    if (changes && !networkChangeAllowed(peer, a.id())) {
      return;
    }
    RawJson stamped = stamp(a.data(), peer);
    long retainedDelta = retainedSize(stamped) - retainedSize(peer.announceData());
    if (retainedDelta > 0 && budget.wouldOverflow(retainedDelta)) {
      refusedOverBudget(peer, a.id(), "announce");
      return;
    }
    if (changes && previous == null && !registry.joinNetwork(peer.address())) {
      counters.increment(Stat.ADDRESS_LIMIT_HITS);
      limitHit("maxNetworksPerAddress", peer, network);
      replyError(peer, a.id(), ErrorCode.ADDRESS_LIMIT,
          "this address's peers are in " + config.maxNetworksPerAddress() + " networks, its share of the hub's");
      return;
    }
    if (previous != null && changes) {
      leaveNetwork(peer, previous, false);
    }
    synchronized (networks.announceLock(network)) {
      peer.announceData(stamped);
      peer.account().add(MemoryBudget.Kind.RETAINED, retainedDelta);
      if (changes) {
        if (!networks.join(network, peer)) {
          registry.leaveNetwork(peer.address());
          counters.increment(Stat.NETWORK_LIMIT_HITS);
          limitHit("maxNetworks", peer, network);
          replyError(peer, a.id(), ErrorCode.HUB_NETWORK_LIMIT,
              "the hub holds its maximum of " + config.maxNetworks() + " networks");
          return;
        }
        peer.network(network);
        if (peer.isClosed()) {
          // The close callback may have run between our join and now: undo what it could not see.
          if (networks.leave(network, peer)) {
            registry.leaveNetwork(peer.address());
          }
          return;
        }
        peer.engage();
        // only when the network changed: a re-announce tells no one
        int told = discover(peer, network, stamped);
        delivery.joined(network, peer, stamped, config.discoveryLimit() - told);
      }
    }
    bus.publish(new HubEvents.PeerAnnounced(peer, network));
    ack(peer, a.id(), null);
  }

  /**
   * Joining, switching or leaving a network tells a whole network: at most
   * {@code maxNetworkChangesPerMinute}; past it the request is refused and costs a strike.
   */
  private boolean networkChangeAllowed(Peer peer, String requestId) {
    if (peer.networkChanges().tryAcquire()) {
      return true;
    }
    counters.increment(Stat.NETWORK_CHANGES_LIMITED);
    limitHit("maxNetworkChangesPerMinute", peer, null);
    strike.accept(peer);
    replyError(peer, requestId, ErrorCode.RATE_LIMITED,
        "at most " + config.maxNetworkChangesPerMinute() + " network changes per minute: each one tells a whole network");
    return false;
  }

  /**
   * The announce data as the hub passes it on: the client's object with {@code peerId} and {@code
   * isHub:false} stated by the hub (PeerPigeon's hub trusts isHub; Loft does not), encoded once.
   * Parsed here only, after the size check, so the tree is small and short-lived.
   */
  private static RawJson stamp(JsonElement data, Peer peer) {
    JsonObject object = data instanceof RawJson raw ? raw.parse().getAsJsonObject() : data.getAsJsonObject().deepCopy();
    object.addProperty("peerId", peer.id());
    object.addProperty("isHub", false);
    return new RawJson(object.toString());
  }

  /** What a peer's announce data costs the hub: its characters (UTF-16) and the string. */
  private static long retainedSize(RawJson data) {
    return data == null ? 0 : 2L * data.text().length() + RETAINED_STRING_OVERHEAD;
  }

  /** Object headers and fields of a String and its array, on a 64-bit JVM (rounded up). */
  private static final long RETAINED_STRING_OVERHEAD = 64;
  /** What one subscription costs: its set entry on the peer and its slot in the topic's array. */
  static final long RETAINED_PER_SUBSCRIPTION = 96;

  private void refusedOverBudget(Peer peer, String id, String what) {
    counters.increment(Stat.BUDGET_REFUSED_BY_REASON, what);
    replyError(peer, id, ErrorCode.OVER_BUDGET, "the hub's memory budget is full; try again later");
  }

  /**
   * Tells the newcomer about peers already in the network and them about the newcomer, at most
   * {@code discoveryLimit} each way: a network of N peers must not cost O(N) frames per announce.
   */
  private int discover(Peer newcomer, String network, RawJson newcomerData) {
    long now = now();
    int told = 0;
    for (Peer other : networks.members(network)) {
      if (other == newcomer) {
        continue;
      }
      RawJson otherData = other.announceData();
      if (otherData == null) {
        continue;
      }
      if (told >= config.discoveryLimit()) {
        counters.increment(Stat.DISCOVERY_CAPPED);
        break;
      }
      send(newcomer, new Frame.PeerDiscovered(newcomer.id(), network, otherData, now));
      send(other, new Frame.PeerDiscovered(other.id(), network, newcomerData, now));
      told++;
    }
    newcomer.countCaused(2L * told);
    return told;
  }

  private void signal(Peer peer, Frame.Signal s) {
    String network = peer.network();
    if (network == null) {
      replyError(peer, s.id(), ErrorCode.NOT_ANNOUNCED, "announce into a network before sending " + s.type());
      return;
    }
    OutboundFrame frame = encode(s.stamped(peer.id(), network, now()));
    deliverToPeer(peer, s.id(), network, s.targetPeerId(), frame);
  }

  /**
   * Relays the goodbye to the rest of the network (PeerPigeon's client drops a departed peer only
   * on {@code goodbye}), then leaves, which also sends {@code peer-disconnected}.
   */
  private void goodbye(Peer peer, Frame.Goodbye g) {
    String network = peer.network();
    if (network != null) {
      if (!networkChangeAllowed(peer, g.id())) {
        return;
      }
      peer.countCaused(delivery.toNetwork(network, peer.id(), encode(g.stamped(peer.id(), network, now()))));
      leaveNetwork(peer, network, true);
    }
    ack(peer, g.id(), null);
  }

  /**
   * Removes {@code peer} from {@code network} and tells that network's members, and only them.
   * {@code last}: the peer is in no network afterwards (goodbye, close), so its address's share of
   * networks is given back; a switch keeps it for the network it joins next.
   */
  void leaveNetwork(Peer peer, String network, boolean last) {
    if (networks.leave(network, peer)) {
      if (last) {
        registry.leaveNetwork(peer.address());
      }
      if (network.equals(peer.network())) {
        peer.network(null);
      }
      peer.countCaused(delivery.left(network, peer.id(), encode(new Frame.PeerDisconnected(peer.id(), network, now()))));
    }
  }

  // ------------------------------------------------------------------------------ extensions

  private void subscribe(Peer peer, Frame.Subscribe s) {
    Set<String> mine = peer.topicsForUpdate();
    if (!mine.contains(s.topic())) {
      if (budget.wouldOverflow(RETAINED_PER_SUBSCRIPTION)) {
        refusedOverBudget(peer, s.id(), "subscribe");
        return;
      }
      if (mine.size() >= config.maxTopicsPerPeer()) {
        counters.increment(Stat.TOPIC_LIMIT_HITS);
        limitHit("maxTopicsPerPeer", peer, s.topic());
        replyError(peer, s.id(), ErrorCode.TOO_MANY_TOPICS,
            "a peer may subscribe to at most " + config.maxTopicsPerPeer() + " topics");
        return;
      }
      if (!registry.subscribe(peer.address())) {
        counters.increment(Stat.ADDRESS_LIMIT_HITS);
        limitHit("maxSubscriptionsPerAddress", peer, s.topic());
        replyError(peer, s.id(), ErrorCode.ADDRESS_LIMIT,
            "this address holds " + config.maxSubscriptionsPerAddress() + " subscriptions, its share of the hub's");
        return;
      }
      if (topics.subscribe(s.topic(), peer) == Topics.Result.HUB_LIMIT) {
        registry.unsubscribe(peer.address());
        counters.increment(Stat.TOPIC_LIMIT_HITS);
        limitHit("maxTopics", peer, s.topic());
        replyError(peer, s.id(), ErrorCode.HUB_TOPIC_LIMIT,
            "the hub holds its maximum of " + config.maxTopics() + " topics");
        return;
      }
      mine.add(s.topic());
      peer.account().add(MemoryBudget.Kind.RETAINED, RETAINED_PER_SUBSCRIPTION + 2L * s.topic().length());
      if (peer.isClosed()) {
        // see announce: the close cleanup may have missed it
        if (mine.remove(s.topic())) {
          topics.unsubscribe(s.topic(), peer);
          registry.unsubscribe(peer.address());
        }
        return;
      }
    }
    peer.engage();
    ack(peer, s.id(), null);
  }

  private void unsubscribe(Peer peer, Frame.Unsubscribe u) {
    if (peer.topics().remove(u.topic())) {
      topics.unsubscribe(u.topic(), peer);
      registry.unsubscribe(peer.address());
      peer.account().add(MemoryBudget.Kind.RETAINED, -(RETAINED_PER_SUBSCRIPTION + 2L * u.topic().length()));
    }
    ack(peer, u.id(), null);
  }

  private void publish(Peer peer, Frame.Publish p) {
    peer.engage();
    if (isRepeat(peer, p.id())) {
      ack(peer, p.id(), null);
      return;
    }
    OutboundFrame frame = encode(new Frame.TopicMessage(p.topic(), peer.id(), p.data(), now()));
    int delivered = delivery.publish(p.topic(), peer.id(), frame);
    peer.countCaused(delivered);
    remember(peer, p.id()); // published (even to no one): a retry must not go out twice
    if (p.id() != null) {
      JsonObject result = new JsonObject();
      result.addProperty("delivered", delivered);
      ack(peer, p.id(), result);
    }
  }

  private void direct(Peer peer, Frame.Direct d) {
    String network = peer.network();
    if (network == null) {
      replyError(peer, d.id(), ErrorCode.NOT_ANNOUNCED, "announce into a network before sending direct messages");
      return;
    }
    if (isRepeat(peer, d.id())) {
      ack(peer, d.id(), null);
      return;
    }
    if (deliverToPeer(peer, d.id(), network, d.targetPeerId(), encode(d.stamped(peer.id(), now())))) {
      remember(peer, d.id()); // only once delivered: a retry after PEER_NOT_FOUND must go out
    }
  }

  /** True when the frame was queued for the target. */
  private boolean deliverToPeer(Peer peer, String id, String network, String target, OutboundFrame frame) {
    switch (delivery.toPeer(network, target, frame)) {
      case DELIVERED:
        peer.countCaused(1);
        ack(peer, id, null);
        return true;
      case DROPPED:
        replyError(peer, id, ErrorCode.PEER_NOT_FOUND, "peer " + target + " is being disconnected");
        return false;
      case UNREACHABLE:
        replyError(peer, id, ErrorCode.PEER_NOT_FOUND, "peer " + target + " is on another hub, which cannot be reached now");
        return false;
      default:
        replyError(peer, id, ErrorCode.PEER_NOT_FOUND, "peer " + target + " is not in network '" + network + "'");
        return false;
    }
  }

  private void presence(Peer peer, Frame.Presence p) {
    if (p.id() == null) {
      replyError(peer, null, ErrorCode.MISSING_FIELD, "presence needs an id: the answer is an ack");
      return;
    }
    if (p.networkName() != null && !p.networkName().equals(peer.network())) {
      replyError(peer, p.id(), ErrorCode.NOT_ANNOUNCED,
          "presence of a network is visible to its members only; announce into '" + p.networkName() + "' first");
      return;
    }
    if (p.networkName() != null) {
      answerPresence(peer, p, delivery.networkPresence(p.networkName(), config.maxPresenceResults()));
    } else {
      delivery.topicPresence(p.topic(), config.maxPresenceResults(), who -> answerPresence(peer, p, who));
    }
  }

  private void answerPresence(Peer peer, Frame.Presence p, Delivery.Presence who) {
    JsonObject result = new JsonObject();
    if (p.networkName() != null) {
      result.addProperty("networkName", p.networkName());
    } else {
      result.addProperty("topic", p.topic());
    }
    JsonArray ids = new JsonArray(who.peerIds().size());
    who.peerIds().forEach(ids::add);
    result.add("peers", ids);
    result.add("count", new JsonPrimitive(who.count()));
    result.addProperty("truncated", who.truncated());
    if (who.truncated()) {
      counters.increment(Stat.PRESENCE_TRUNCATED);
    }
    ack(peer, p.id(), result);
  }

  // ------------------------------------------------------------------------------ replies

  /** True when this request id was already handled for this peer (a retry): ack, do not redo. */
  private boolean isRepeat(Peer peer, String id) {
    if (id != null && recentRequests.getIfPresent(peer.id() + '/' + id) != null) {
      counters.increment(Stat.DEDUPE_HITS);
      return true;
    }
    return false;
  }

  private void remember(Peer peer, String id) {
    if (id != null) {
      recentRequests.put(peer.id() + '/' + id, Boolean.TRUE);
    }
  }

  /**
   * Tells {@code peer} what went wrong, at most {@code maxErrorRepliesPerSecond} times a second:
   * past that an error costs the peer a strike instead of a frame, so a peer that keeps earning
   * errors (binary frames, bad JSON) cannot make the hub send more than it receives, and is
   * disconnected by the strike rule.
   */
  void replyError(Peer peer, String id, ErrorCode code, String message) {
    counters.increment(Stat.ERRORS_BY_CODE, code.name());
    peer.countError();
    if (!peer.errorReplies().tryAcquire()) {
      counters.increment(Stat.ERROR_REPLIES_SUPPRESSED);
      strike.accept(peer);
      return;
    }
    send(peer, new Frame.ErrorFrame(id, code, message, now()));
  }

  private void ack(Peer peer, String id, JsonElement data) {
    if (id != null) {
      send(peer, new Frame.Ack(id, data, now()));
    }
  }

  private void limitHit(String limit, Peer peer, String detail) {
    HubEvents.LimitHit.publish(bus, limit, peer.id(), detail);
  }

  private void send(Peer peer, Frame frame) {
    peer.send(encode(frame));
  }

  private OutboundFrame encode(Frame frame) {
    return OutboundFrame.encode(codec, frame);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
