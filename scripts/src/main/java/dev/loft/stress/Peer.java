package dev.loft.stress;

import dev.loft.protocol.PeerIds;
import dev.loft.stress.ws.WsConn;
import dev.loft.stress.ws.WsEngine;
import dev.loft.stress.ws.WsListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One simulated peer: connects with {@code ?peerId=}, announces into its network when the hub
 * says {@code connected} (as PeerPigeon clients do on every open), and hands frames to a handler.
 */
final class Peer implements WsListener {
  interface Handler {
    /** The hub sent {@code connected} (and the announce, if any, has been sent). */
    default void onReady(Peer p) {}

    /** Any other frame; {@code type} is one of the {@link Bytes} constants. */
    default void onFrame(Peer p, int type, byte[] b, int off, int len) {}

    default void onClosed(Peer p, int code, String reason, boolean remote) {}
  }

  final String id;
  final String network;
  final int index;
  private final Handler handler;
  private final boolean announce;
  private final byte[] announceFrame;
  volatile WsConn conn;
  volatile boolean ready;
  volatile int closeCode = -1;
  volatile String closeReason;
  volatile long connectStartNanos;
  /** Scenario state. */
  volatile Object state;

  Peer(int index, String network, boolean announce, Handler handler) {
    this.id = PeerIds.random();
    this.index = index;
    this.network = network;
    this.announce = announce;
    this.handler = handler;
    this.announceFrame =
        ("{\"type\":\"announce\",\"networkName\":\"" + network + "\",\"data\":{\"peerId\":\"" + id + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
  }

  static String withPeerId(String baseUrl, String id) {
    return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "peerId=" + id;
  }

  Peer connect(WsEngine engine, String baseUrl) {
    return connect(engine, baseUrl, 0);
  }

  Peer connect(WsEngine engine, String baseUrl, int receiveBuffer) {
    ready = false;
    closeCode = -1;
    closeReason = null;
    connectStartNanos = System.nanoTime();
    engine.connect(URI.create(withPeerId(baseUrl, id)), this, receiveBuffer, c -> conn = c);
    return this;
  }

  boolean send(String text) {
    WsConn c = conn;
    return c != null && c.sendText(text);
  }

  boolean send(byte[] utf8) {
    WsConn c = conn;
    return c != null && c.sendText(utf8);
  }

  void close() {
    WsConn c = conn;
    if (c != null) {
      c.close(1000, "done");
    }
  }

  boolean isOpen() {
    WsConn c = conn;
    return c != null && c.isOpen();
  }

  /** Hubs greet every peer with {@code connected}; a socket that stays silent this long is dropped. */
  static final long READY_TIMEOUT_MS = 10_000;
  static final String NO_CONNECTED = "no 'connected' frame from the hub within " + READY_TIMEOUT_MS + " ms";

  @Override
  public void onOpen(WsConn c) {
    c.schedule(READY_TIMEOUT_MS, () -> {
      if (c == conn && !ready && c.isOpen()) {
        c.abort(NO_CONNECTED);
      }
    });
  }

  @Override
  public void onText(WsConn c, byte[] b, int off, int len) {
    if (c != conn) {
      return; // a frame from a previous connection of this peer
    }
    int type = Bytes.type(b, off, len);
    if (type == Bytes.CONNECTED && !ready) {
      if (announce) {
        c.sendText(announceFrame);
      }
      ready = true;
      handler.onReady(this);
      return;
    }
    handler.onFrame(this, type, b, off, len);
  }

  @Override
  public void onClose(WsConn c, int code, String reason, boolean remote) {
    if (c != conn) {
      return;
    }
    ready = false;
    closeCode = code;
    closeReason = reason;
    handler.onClosed(this, code, reason, remote);
  }
}
