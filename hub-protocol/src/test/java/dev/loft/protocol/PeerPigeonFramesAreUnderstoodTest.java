package dev.loft.protocol;

import static dev.loft.protocol.Samples.A;
import static dev.loft.protocol.Samples.B;
import static dev.loft.protocol.Samples.TS;
import static dev.loft.protocol.Samples.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Guards against Loft failing to read frames exactly as PeerPigeon 1.1.3's hub and client write
 * them (literal texts from shared/reference/peerpigeon-protocol.md).
 */
class PeerPigeonFramesAreUnderstoodTest {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;

  @Test
  void connected() throws ProtocolException {
    String wire =
        "{\"type\":\"connected\",\"data\":{\"peerId\":\"" + A + "\"},\"fromPeerId\":\"system\",\"timestamp\":1795358139363}";
    assertEquals(new Frame.Connected(A, TS), CODEC.decode(wire));
  }

  @Test
  void peerDiscoveredKeepsTheWholeAnnounceData() throws ProtocolException {
    String wire =
        "{\"type\":\"peer-discovered\",\"data\":{\"peerId\":\"" + B + "\",\"isHub\":false,\"timestamp\":1795358139000,"
            + "\"capabilities\":[\"webrtc\"]},\"networkName\":\"global\",\"fromPeerId\":\"system\","
            + "\"targetPeerId\":\"" + A + "\",\"timestamp\":1795358139363}";
    Frame.PeerDiscovered f = (Frame.PeerDiscovered) CODEC.decode(wire);
    assertEquals(
        new Frame.PeerDiscovered(
            A,
            "global",
            json("{\"peerId\":\"" + B + "\",\"isHub\":false,\"timestamp\":1795358139000,\"capabilities\":[\"webrtc\"]}"),
            TS),
        f);
    assertEquals(B, f.peerId());
  }

  @Test
  void peerDisconnected() throws ProtocolException {
    String wire =
        "{\"type\":\"peer-disconnected\",\"data\":{\"peerId\":\"" + B + "\",\"isHub\":false},"
            + "\"networkName\":\"global\",\"fromPeerId\":\"system\",\"timestamp\":1795358139363}";
    assertEquals(new Frame.PeerDisconnected(B, "global", TS), CODEC.decode(wire));
  }

  @Test
  void pong() throws ProtocolException {
    String wire =
        "{\"type\":\"pong\",\"data\":{\"timestamp\":1795358139363},\"fromPeerId\":\"system\","
            + "\"targetPeerId\":\"" + A + "\",\"timestamp\":1795358139363}";
    assertEquals(new Frame.Pong(A, TS), CODEC.decode(wire));
  }

  @Test
  void relayedOffer() throws ProtocolException {
    String wire =
        "{\"type\":\"offer\",\"data\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"},\"fromPeerId\":\"" + B + "\","
            + "\"targetPeerId\":\"" + A + "\",\"networkName\":\"global\",\"timestamp\":1795358139363}";
    assertEquals(
        new Frame.Signal(
            SignalKind.OFFER, null, B, A, "global", json("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}"), TS),
        CODEC.decode(wire));
  }

  @Test
  void announceAsPeerPigeonsClientSendsItWithMaxPeers() throws ProtocolException {
    String wire =
        "{\"type\":\"announce\",\"data\":{\"peerId\":\"" + A + "\",\"timestamp\":1795358139000},"
            + "\"maxPeers\":3,\"networkName\":\"global\"}";
    assertEquals(
        new Frame.Announce(null, "global", json("{\"peerId\":\"" + A + "\",\"timestamp\":1795358139000}")),
        CODEC.decode(wire));
  }

  @Test
  void signalsAsPeerPigeonsClientSendsThem() throws ProtocolException {
    // {type, data, maxPeers, networkName, targetPeerId}; upper-case ids are accepted as PeerPigeon does.
    String upper = B.toUpperCase();
    for (SignalKind kind : SignalKind.values()) {
      String wire =
          "{\"type\":\"" + kind.wireType() + "\",\"data\":{\"candidate\":\"c\",\"sdpMid\":null},"
              + "\"maxPeers\":3,\"networkName\":\"global\",\"targetPeerId\":\"" + upper + "\"}";
      assertEquals(
          new Frame.Signal(kind, null, null, upper, "global", json("{\"candidate\":\"c\",\"sdpMid\":null}"), 0),
          CODEC.decode(wire),
          kind.wireType());
    }
  }

  @Test
  void goodbyePingAndCleanupAsPeerPigeonsClientSendsThem() throws ProtocolException {
    JsonObject data = json("{\"peerId\":\"" + A + "\",\"timestamp\":1795358139000}");
    assertEquals(
        new Frame.Goodbye(null, "global", data),
        CODEC.decode("{\"type\":\"goodbye\",\"data\":" + data + ",\"maxPeers\":3,\"networkName\":\"global\"}"));
    assertEquals(
        new Frame.Ping(data),
        CODEC.decode("{\"type\":\"ping\",\"data\":" + data + ",\"maxPeers\":3,\"networkName\":\"global\"}"));
    assertEquals(
        new Frame.Cleanup(data),
        CODEC.decode("{\"type\":\"cleanup\",\"data\":" + data + ",\"maxPeers\":3,\"networkName\":\"global\"}"));
  }

  @Test
  void peerPigeonsErrorWithoutACodeDecodesAsUnspecified() throws ProtocolException {
    String text = "Signaling server does not route 'chat' messages. Use WebRTC data channels.";
    String wire = "{\"type\":\"error\",\"error\":\"" + text + "\",\"timestamp\":1795358139363}";
    assertEquals(new Frame.ErrorFrame(null, "UNSPECIFIED", text, TS), CODEC.decode(wire));
  }
}
