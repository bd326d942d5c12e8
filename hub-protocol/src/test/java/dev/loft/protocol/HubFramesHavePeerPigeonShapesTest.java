package dev.loft.protocol;

import static dev.loft.protocol.Samples.A;
import static dev.loft.protocol.Samples.B;
import static dev.loft.protocol.Samples.TS;
import static dev.loft.protocol.Samples.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards against hub-originated frames drifting from the field shapes (and, where PeerPigeon has
 * one, the field order) that PeerPigeon 1.1.3's client reads.
 */
class HubFramesHavePeerPigeonShapesTest {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;

  @Test
  void connectedIsByteForByteWhatPeerPigeonSends() {
    assertEquals(
        "{\"type\":\"connected\",\"data\":{\"peerId\":\"" + A + "\"},\"fromPeerId\":\"system\",\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.Connected(A, TS)));
  }

  @Test
  void peerDiscoveredCarriesAnnounceDataNetworkSystemSenderAndReceiver() {
    JsonObject data = json("{\"peerId\":\"" + B + "\",\"isHub\":false,\"label\":\"x\"}");
    assertEquals(
        "{\"type\":\"peer-discovered\",\"data\":{\"peerId\":\"" + B + "\",\"isHub\":false,\"label\":\"x\"},"
            + "\"networkName\":\"global\",\"fromPeerId\":\"system\",\"targetPeerId\":\"" + A + "\","
            + "\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.PeerDiscovered(A, "global", data, TS)));
  }

  @Test
  void peerDisconnectedHasPeerIdAndIsHubFalseInData() {
    assertEquals(
        "{\"type\":\"peer-disconnected\",\"data\":{\"peerId\":\"" + B + "\",\"isHub\":false},"
            + "\"networkName\":\"global\",\"fromPeerId\":\"system\",\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.PeerDisconnected(B, "global", TS)));
  }

  @Test
  void pongHasDataTimestampAndTargetPeerId() {
    assertEquals(
        "{\"type\":\"pong\",\"data\":{\"timestamp\":1795358139363},\"fromPeerId\":\"system\","
            + "\"targetPeerId\":\"" + A + "\",\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.Pong(A, TS)));
  }

  @Test
  void relayedSignalsHaveExactlyPeerPigeonsFields() {
    for (SignalKind kind : SignalKind.values()) {
      Frame.Signal fromClient = new Frame.Signal(kind, "req-7", null, B, null, Samples.sdp("offer"), 0);
      JsonObject wire = json(CODEC.encode(fromClient.stamped(A, "global", TS)));
      JsonObject expected = new JsonObject();
      expected.addProperty("type", kind.wireType());
      expected.add("data", Samples.sdp("offer"));
      expected.addProperty("fromPeerId", A);
      expected.addProperty("targetPeerId", B);
      expected.addProperty("networkName", "global");
      expected.addProperty("timestamp", TS);
      assertEquals(expected, wire, kind.wireType());
    }
  }

  @Test
  void errorKeepsTheHumanTextInErrorAndAddsCodeAndId() {
    assertEquals(
        "{\"type\":\"error\",\"id\":\"r-1\",\"code\":\"PEER_NOT_FOUND\",\"error\":\"no such peer\",\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.ErrorFrame("r-1", ErrorCode.PEER_NOT_FOUND, "no such peer", TS)));
    assertEquals(
        "{\"type\":\"error\",\"code\":\"BAD_JSON\",\"error\":\"BAD_JSON\"}",
        CODEC.encode(new Frame.ErrorFrame(null, ErrorCode.BAD_JSON, null, 0)));
  }

  @Test
  void loftExtensionFramesHaveTheDocumentedFieldsInOrder() {
    assertEquals(
        "{\"type\":\"message\",\"topic\":\"chat\",\"data\":{\"t\":1},\"fromPeerId\":\"" + A + "\",\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.TopicMessage("chat", A, json("{\"t\":1}"), TS)));
    assertEquals(
        "{\"type\":\"direct\",\"data\":\"hi\",\"fromPeerId\":\"" + A + "\",\"targetPeerId\":\"" + B + "\",\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.Direct("r", null, B, new com.google.gson.JsonPrimitive("hi"), 0).stamped(A, TS)));
    assertEquals(
        "{\"type\":\"ack\",\"id\":\"q\",\"data\":{\"peers\":[\"" + A + "\"],\"count\":1,\"truncated\":false},\"timestamp\":1795358139363}",
        CODEC.encode(new Frame.Ack("q", json("{\"peers\":[\"" + A + "\"],\"count\":1,\"truncated\":false}"), TS)));
    assertEquals(
        "{\"type\":\"presence\",\"id\":\"q\",\"topic\":\"chat\"}",
        CODEC.encode(new Frame.Presence("q", null, "chat")));
    assertEquals(
        "{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"chat\"}",
        CODEC.encode(new Frame.Subscribe("s", "chat")));
    assertEquals(
        "{\"type\":\"publish\",\"topic\":\"chat\",\"data\":[1,null]}",
        CODEC.encode(new Frame.Publish(null, "chat", com.google.gson.JsonParser.parseString("[1,null]"))));
  }

  @Test
  void hubFramesNeverCarryAClientSuppliedSenderOrARequestId() {
    for (Frame f :
        List.<Frame>of(
            new Frame.Connected(A, TS),
            new Frame.PeerDiscovered(A, "global", json("{\"peerId\":\"" + B + "\"}"), TS),
            new Frame.PeerDisconnected(B, "global", TS),
            new Frame.Pong(A, TS))) {
      JsonObject wire = json(CODEC.encode(f));
      assertEquals("system", wire.get("fromPeerId").getAsString(), f.type());
      assertFalse(wire.has("id"), f.type());
    }
  }
}
