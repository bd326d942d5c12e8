package dev.loft.server.events;

import dev.loft.protocol.Frame;
import dev.loft.bus.EventBus;

/**
 * The events a hub publishes on its {@link dev.loft.bus.EventBus}. Listeners are registered for
 * one exact record class. Frames reach the router as {@link FrameReceived}; the rest are for
 * observers (metrics, logs, tests) and for the load shedder. Events carry ids and values
 * ({@link PeerInfo}, never the connection), so a listener can observe a peer but not act on it.
 */
public final class HubEvents {
  private HubEvents() {}

  /** A peer completed its handshake and was admitted. */
  public record PeerConnected(PeerInfo peer) {}

  /** A peer's connection closed, for whatever reason. */
  public record PeerDisconnected(PeerInfo peer, int code, String reason, boolean remote, long durationMillis) {}

  /** A peer announced into a network (or re-announced). */
  public record PeerAnnounced(PeerInfo peer, String networkName) {}


  /** A frame from a peer passed rate limiting and decoding; the router handles it. */
  public record FrameReceived(PeerInfo peer, Frame frame) {}

  /** A peer's outbound backlog passed the high watermark; it is being closed with 4000. */
  public record SlowPeerEvicted(PeerInfo peer, long pendingBytes, int queuedFrames) {}

  /** A configured bound refused something. {@code limit} is the config option's name. */
  public record LimitHit(String limit, String peerId, String detail) {
    /** Publishes one; the hub itself listens (refusals counted per bound, {@code /stats.limitHits}). */
    public static void publish(EventBus bus, String limit, String peerId, String detail) {
      bus.publish(new LimitHit(limit, peerId, detail));
    }
  }

  /** Heap use crossed the pressure threshold ({@code active}) or fell back below recovery. */
  public record MemoryPressure(boolean active, long heapUsedBytes, long heapMaxBytes) {}

  /** The hub is stopping: no new peers are admitted from now on. */
  public record HubStopping(String reason) {}
}
