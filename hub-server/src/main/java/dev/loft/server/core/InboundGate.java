package dev.loft.server.core;

import dev.loft.bus.EventBus;
import dev.loft.protocol.ErrorCode;
import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.ProtocolException;
import dev.loft.server.config.HubConfig;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.link.OutboundFrame;
import dev.loft.server.link.PeerLink;
import dev.loft.server.link.TransportHandler.FrameKind;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * What a peer sends, before the router: every frame takes a rate-limit token (text, binary,
 * continuation, ping, pong alike), pings are answered, text is decoded by the relaying codec and
 * published on the bus as {@code FrameReceived}. Runs on the peer's decoder thread.
 */
final class InboundGate {
  private final HubConfig config;
  private final StatStore counters;
  private final FrameCodec codec;
  private final Router router;
  private final EventBus bus;
  private final Strikes strikes;
  private final BooleanSupplier accepting;

  InboundGate(HubConfig config, StatStore counters, FrameCodec codec, Router router, EventBus bus,
      Strikes strikes, BooleanSupplier accepting) {
    this.config = config;
    this.counters = counters;
    this.codec = codec;
    this.router = router;
    this.bus = bus;
    this.strikes = strikes;
    this.accepting = accepting;
  }

  /**
   * Every inbound frame but a close takes a token from the peer's one rate limit before the
   * library does anything with it: a frame the hub must answer or buffer costs the peer as much as
   * a text frame does.
   */
  boolean admitFrame(PeerLink link, FrameKind kind) {
    Peer peer = link == null ? null : link.attachment();
    if (peer == null || peer.isClosing()) {
      return false; // not admitted (yet) or on its way out: nothing it sends is worth work
    }
    if (kind == FrameKind.PING || kind == FrameKind.PONG) {
      counters.increment(Stat.CONTROL_FRAMES_IN);
    }
    if (!peer.rateLimit().tryAcquire()) {
      rateLimited(peer);
      return false;
    }
    return true;
  }

  /** Answers a ping the gate admitted; the pong is an outbound frame like any other (watermark). */
  void onPing(PeerLink link, ByteBuffer payload) {
    Peer peer = link.attachment();
    if (peer != null) {
      peer.send(OutboundFrame.pong(payload));
    }
  }

  void onText(PeerLink link, String text) {
    Peer peer = link.attachment();
    if (peer == null || peer.isClosing()) {
      return;
    }
    counters.increment(Stat.FRAMES_IN);
    counters.add(Stat.BYTES_IN, text.length());
    peer.countFrameIn(); // its rate-limit token was taken at the gate (admitFrame)
    if (!accepting.getAsBoolean()) {
      // Shutting down: the peer is being closed with 1001; do not start anything new for it.
      router.replyError(peer, null, ErrorCode.OVERLOADED, "the hub is shutting down");
      return;
    }
    Frame frame;
    try {
      frame = codec.decode(text);
    } catch (ProtocolException e) {
      router.replyError(peer, e.requestId(), e.code(), e.getMessage());
      return;
    }
    bus.publish(new HubEvents.FrameReceived(peer, frame));
  }

  void onBinary(PeerLink link) {
    Peer peer = link.attachment();
    if (peer != null && !peer.isClosing()) {
      counters.increment(Stat.FRAMES_IN);
      counters.increment(Stat.BINARY_FRAMES_IN);
      router.replyError(peer, null, ErrorCode.BAD_FRAME, "binary frames are not supported; send JSON text");
    }
  }

  private void rateLimited(Peer peer) {
    counters.increment(Stat.RATE_LIMITED);
    if (strikes.strike(peer)) {
      router.replyError(peer, null, ErrorCode.RATE_LIMITED,
          "more than " + config.rateLimitPerSecond() + " frames per second; frame dropped");
    }
  }
}
