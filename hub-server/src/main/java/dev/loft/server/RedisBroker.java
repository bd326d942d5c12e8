package dev.loft.server;

import dev.loft.server.cluster.RedisLink;
import dev.loft.server.core.Broker;

/**
 * The core's {@link Broker} on a {@link RedisLink}: what the core asks is what the link does. The
 * link is made first (it takes its listener at construction), so the core's listener is set here
 * later; until then what arrives is counted by the link and dropped.
 */
final class RedisBroker implements Broker, RedisLink.Listener {
  private volatile RedisLink link;
  private volatile Broker.Listener listener;

  /** Binds the link this broker speaks through; once, before the core uses it. */
  void link(RedisLink link) {
    this.link = link;
  }

  @Override
  public String nodeId() {
    return link.nodeId();
  }

  @Override
  public String nodeChannel(String nodeId) {
    return RedisLink.nodeChannelOf(nodeId);
  }

  @Override
  public boolean isUp() {
    return link.isUp();
  }

  @Override
  public boolean publish(String channel, byte[] message) {
    return link.publish(channel, message);
  }

  @Override
  public void subscribe(String channel) {
    link.subscribe(channel); // refused past --redis-max-channels: counted by the link
  }

  @Override
  public void unsubscribe(String channel) {
    link.unsubscribe(channel);
  }

  @Override
  public void listener(Broker.Listener listener) {
    this.listener = listener;
  }

  @Override
  public void onMessage(String channel, byte[] payload) {
    Broker.Listener l = listener;
    if (l != null) {
      l.onMessage(channel, payload);
    }
  }

  @Override
  public void onUp() {
    Broker.Listener l = listener;
    if (l != null) {
      l.onReconnected();
    }
  }
}
