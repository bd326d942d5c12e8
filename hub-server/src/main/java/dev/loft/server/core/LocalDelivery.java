package dev.loft.server.core;

import dev.loft.protocol.PeerIds;
import dev.loft.server.link.OutboundFrame;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@link Delivery} to peers connected to this hub. */
final class LocalDelivery implements Delivery {
  private final Networks networks;
  private final Topics topics;

  LocalDelivery(Networks networks, Topics topics) {
    this.networks = networks;
    this.topics = topics;
  }

  @Override
  public int publish(String topic, String senderId, OutboundFrame frame) {
    int delivered = 0;
    for (Peer subscriber : topics.subscribers(topic)) {
      if (!subscriber.id().equals(senderId) && subscriber.send(frame)) {
        delivered++;
      }
    }
    return delivered;
  }

  @Override
  public Outcome toPeer(String network, String peerId, OutboundFrame frame) {
    Peer target = networks.member(network, PeerIds.normalize(peerId));
    if (target == null) {
      return Outcome.NOT_FOUND;
    }
    return target.send(frame) ? Outcome.DELIVERED : Outcome.DROPPED;
  }

  @Override
  public int toNetwork(String network, String exceptPeerId, OutboundFrame frame) {
    int delivered = 0;
    for (Peer member : networks.members(network)) {
      if (!member.id().equals(exceptPeerId) && member.send(frame)) {
        delivered++;
      }
    }
    return delivered;
  }

  @Override
  public Presence networkPresence(String network, int limit) {
    return presence(networks.members(network), limit);
  }

  @Override
  public Presence topicPresence(String topic, int limit) {
    return presence(List.of(topics.subscribers(topic)), limit);
  }

  private static Presence presence(Collection<Peer> peers, int limit) {
    List<String> ids = new ArrayList<>(Math.min(limit, peers.size()));
    int count = 0;
    for (Peer p : peers) {
      if (ids.size() < limit) {
        ids.add(p.id());
      }
      count++;
    }
    return new Presence(ids, count);
  }

  @Override
  public void close() {
    // Nothing is held here: the registries own the peers.
  }
}
