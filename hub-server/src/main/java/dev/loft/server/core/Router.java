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
import dev.loft.server.HubConfig;
import dev.loft.server.events.HubEvents;
import dev.loft.server.transport.OutboundFrame;
import java.util.Set;

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
  private final HubCounters counters;
  private final EventBus bus;
  /** (peer id, request id) of recent publishes and directs: a retried request is not delivered twice. */
  private final Cache<String, Boolean> recentRequests;

  Router(
      HubConfig config,
      FrameCodec codec,
      Networks networks,
      Topics topics,
      Delivery delivery,
      HubCounters counters,
      EventBus bus,
      Cache<String, Boolean> recentRequests) {
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
    if (previous != null && !previous.equals(network)) {
      leaveNetwork(peer, previous);
    }
    JsonObject data = a.data();
    // The hub states who this is: never the client (PeerPigeon's hub trusts isHub; Loft does not).
    data.addProperty("peerId", peer.id());
    data.addProperty("isHub", false);
    synchronized (networks.announceLock(network)) {
      peer.announceData(data);
      if (!network.equals(previous)) {
        if (!networks.join(network, peer)) {
          counters.networkLimitHits.increment();
          limitHit("maxNetworks", peer, network);
          replyError(peer, a.id(), ErrorCode.HUB_NETWORK_LIMIT,
              "the hub holds its maximum of " + config.maxNetworks() + " networks");
          return;
        }
        peer.network(network);
        if (peer.isClosed()) {
          // The close callback may have run between our join and now: undo what it could not see.
          networks.leave(network, peer);
          return;
        }
      }
      peer.engage();
      discover(peer, network, data);
    }
    bus.publish(new HubEvents.PeerAnnounced(peer, network));
    ack(peer, a.id(), null);
  }

  /**
   * Tells the newcomer about peers already in the network and them about the newcomer, at most
   * {@code discoveryLimit} each way: a network of N peers must not cost O(N) frames per announce.
   */
  private void discover(Peer newcomer, String network, JsonObject newcomerData) {
    long now = now();
    int told = 0;
    for (Peer other : networks.members(network)) {
      if (other == newcomer) {
        continue;
      }
      JsonObject otherData = other.announceData();
      if (otherData == null) {
        continue;
      }
      if (told >= config.discoveryLimit()) {
        counters.discoveryCapped.increment();
        break;
      }
      send(newcomer, new Frame.PeerDiscovered(newcomer.id(), network, otherData, now));
      send(other, new Frame.PeerDiscovered(other.id(), network, newcomerData, now));
      told++;
    }
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
      delivery.toNetwork(network, peer.id(), encode(g.stamped(peer.id(), network, now())));
      leaveNetwork(peer, network);
    }
    ack(peer, g.id(), null);
  }

  /** Removes {@code peer} from {@code network} and tells that network's members, and only them. */
  void leaveNetwork(Peer peer, String network) {
    if (networks.leave(network, peer)) {
      if (network.equals(peer.network())) {
        peer.network(null);
      }
      delivery.toNetwork(network, peer.id(), encode(new Frame.PeerDisconnected(peer.id(), network, now())));
      bus.publish(new HubEvents.PeerLeftNetwork(peer, network));
    }
  }

  // ------------------------------------------------------------------------------ extensions

  private void subscribe(Peer peer, Frame.Subscribe s) {
    Set<String> mine = peer.topicsForUpdate();
    if (!mine.contains(s.topic())) {
      if (mine.size() >= config.maxTopicsPerPeer()) {
        counters.topicLimitHits.increment();
        limitHit("maxTopicsPerPeer", peer, s.topic());
        replyError(peer, s.id(), ErrorCode.TOO_MANY_TOPICS,
            "a peer may subscribe to at most " + config.maxTopicsPerPeer() + " topics");
        return;
      }
      if (topics.subscribe(s.topic(), peer) == Topics.Result.HUB_LIMIT) {
        counters.topicLimitHits.increment();
        limitHit("maxTopics", peer, s.topic());
        replyError(peer, s.id(), ErrorCode.HUB_TOPIC_LIMIT,
            "the hub holds its maximum of " + config.maxTopics() + " topics");
        return;
      }
      mine.add(s.topic());
      if (peer.isClosed()) {
        topics.unsubscribe(s.topic(), peer); // see announce: the close cleanup may have missed it
        return;
      }
    }
    peer.engage();
    ack(peer, s.id(), null);
  }

  private void unsubscribe(Peer peer, Frame.Unsubscribe u) {
    if (peer.topics().remove(u.topic())) {
      topics.unsubscribe(u.topic(), peer);
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
    deliverToPeer(peer, d.id(), network, d.targetPeerId(), encode(d.stamped(peer.id(), now())));
  }

  private void deliverToPeer(Peer peer, String id, String network, String target, OutboundFrame frame) {
    switch (delivery.toPeer(network, target, frame)) {
      case DELIVERED:
        ack(peer, id, null);
        break;
      case DROPPED:
        replyError(peer, id, ErrorCode.PEER_NOT_FOUND, "peer " + target + " is being disconnected");
        break;
      default:
        replyError(peer, id, ErrorCode.PEER_NOT_FOUND, "peer " + target + " is not in network '" + network + "'");
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
    Delivery.Presence who = p.networkName() != null
        ? delivery.networkPresence(p.networkName(), config.maxPresenceResults())
        : delivery.topicPresence(p.topic(), config.maxPresenceResults());
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
      counters.presenceTruncated.increment();
    }
    ack(peer, p.id(), result);
  }

  // ------------------------------------------------------------------------------ replies

  private boolean isRepeat(Peer peer, String id) {
    if (id == null) {
      return false;
    }
    if (recentRequests.asMap().putIfAbsent(peer.id() + '/' + id, Boolean.TRUE) != null) {
      counters.dedupeHits.increment();
      return true;
    }
    return false;
  }

  void replyError(Peer peer, String id, ErrorCode code, String message) {
    counters.error(code);
    peer.countError();
    send(peer, new Frame.ErrorFrame(id, code, message, now()));
  }

  private void ack(Peer peer, String id, JsonElement data) {
    if (id != null) {
      send(peer, new Frame.Ack(id, data, now()));
    }
  }

  private void limitHit(String limit, Peer peer, String detail) {
    if (bus.hasListeners(HubEvents.LimitHit.class)) {
      bus.publish(new HubEvents.LimitHit(limit, peer.id(), detail));
    }
  }

  private void send(Peer peer, Frame frame) {
    peer.send(encode(frame));
  }

  private OutboundFrame encode(Frame frame) {
    return OutboundFrame.text(codec.encode(frame));
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
