package dev.loft.server.events;

import dev.loft.protocol.Frame;
import dev.loft.server.core.Peer;

/**
 * The events a hub publishes on its {@link dev.loft.bus.EventBus}. Listeners are registered for
 * one exact record class. Frames reach the router as {@link FrameReceived}; the rest are for
 * observers (metrics, logs, tests) and for the load shedder.
 */
public final class HubEvents {
  private HubEvents() {}

  /** A peer completed its handshake and was admitted. */
  public record PeerConnected(Peer peer) {}

  /** A peer's connection closed, for whatever reason. */
  public record PeerDisconnected(Peer peer, int code, String reason, boolean remote, long durationMillis) {}

  /** A peer announced into a network (or re-announced). */
  public record PeerAnnounced(Peer peer, String networkName) {}


  /** A frame from a peer passed rate limiting and decoding; the router handles it. */
  public record FrameReceived(Peer peer, Frame frame) {}

  /** A peer's outbound backlog passed the high watermark; it is being closed with 4000. */
  public record SlowPeerEvicted(Peer peer, long pendingBytes, int queuedFrames) {}

  /** A configured bound refused something. {@code limit} is the config option's name. */
  public record LimitHit(String limit, String peerId, String detail) {
    /** Publishes one; the hub itself listens (refusals counted per bound, {@code /stats.limitHits}). */
    public static void publish(dev.loft.bus.EventBus bus, String limit, String peerId, String detail) {
      bus.publish(new LimitHit(limit, peerId, detail));
    }
  }

  /** Heap use crossed the pressure threshold ({@code active}) or fell back below recovery. */
  public record MemoryPressure(boolean active, long heapUsedBytes, long heapMaxBytes) {}

  /** The hub is stopping: no new peers are admitted from now on. */
  public record HubStopping(String reason) {}
}
