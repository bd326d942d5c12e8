package dev.loft.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.List;

/** Shared sample values for the protocol tests: ids, data payloads and one or more frames per type. */
final class Samples {
  private Samples() {}

  static final String A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  static final String B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  /** Mixed case, which PeerPigeon accepts. */
  static final String MIXED = "0123456789abcdefABCDEF0123456789abcdefAB";
  static final long TS = 1795358139363L;

  static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  static JsonObject sdp(String kind) {
    JsonObject o = new JsonObject();
    o.addProperty("type", kind);
    o.addProperty("sdp", "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    return o;
  }

  /** An ICE candidate as browsers serialise it: some members are JSON null. */
  static JsonObject iceCandidate() {
    return json(
        "{\"candidate\":\"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host\","
            + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":null}");
  }

  static JsonObject announceData(String peerId) {
    JsonObject o = new JsonObject();
    o.addProperty("peerId", peerId);
    o.addProperty("isHub", false);
    JsonArray caps = new JsonArray();
    caps.add("webrtc");
    caps.add(3);
    o.add("capabilities", caps);
    o.addProperty("label", "caf\u00e9 \u2603 \uD83D\uDE00 \"quoted\" \\ </script>");
    return o;
  }

  static JsonObject nested() {
    return json("{\"a\":[1,2.5,-3e10,true,false,null,{\"b\":{\"c\":[[\"deep\"]]}}],\"n\":12345678901234567890}");
  }

  /** At least one frame of every record in {@link Frame}, with optional fields both set and absent. */
  static List<Frame> everyFrame() {
    return List.of(
        new Frame.Announce("req-1", "my-net", announceData(A)),
        new Frame.Announce(null, null, null),
        new Frame.Signal(SignalKind.OFFER, "s-1", A, B, "global", sdp("offer"), TS),
        new Frame.Signal(SignalKind.ANSWER, null, null, B, null, sdp("answer"), 0),
        new Frame.Signal(SignalKind.ICE_CANDIDATE, null, null, MIXED, "net-2", iceCandidate(), TS),
        new Frame.Signal(SignalKind.OFFER, null, null, B, null, null, 0),
        new Frame.Goodbye("g-1", "my-net", announceData(A)),
        new Frame.Goodbye(null, null, null),
        new Frame.Ping(json("{\"timestamp\":1795358139363}")),
        new Frame.Ping(null),
        new Frame.Cleanup(nested()),
        new Frame.Cleanup(null),
        new Frame.Connected(A, TS),
        new Frame.Connected(MIXED, 0),
        new Frame.PeerDiscovered(B, "global", announceData(A), TS),
        new Frame.PeerDiscovered(null, "net-2", json("{\"peerId\":\"" + A + "\"}"), 0),
        new Frame.PeerDisconnected(A, "global", TS),
        new Frame.PeerDisconnected(B, "net-2", 0),
        new Frame.Pong(A, TS),
        new Frame.Pong(null, 0),
        new Frame.ErrorFrame("e-1", ErrorCode.PEER_NOT_FOUND, "target peer is not in your network", TS),
        new Frame.ErrorFrame(null, "UNSPECIFIED", "Signaling server does not route 'x' messages.", 0),
        new Frame.Subscribe("sub-1", "chat/room-1"),
        new Frame.Subscribe(null, "t"),
        new Frame.Unsubscribe("u-1", "chat/room-1"),
        new Frame.Unsubscribe(null, "~!@#$%^&*()_+{}|:<>?"),
        new Frame.Publish("p-1", "chat/room-1", nested()),
        new Frame.Publish(null, "t", JsonNull.INSTANCE),
        new Frame.Publish(null, "t", new JsonPrimitive("just a string")),
        new Frame.Publish(null, "t", JsonParser.parseString("[1,\"two\",null,[3]]")),
        new Frame.TopicMessage("chat/room-1", A, nested(), TS),
        new Frame.TopicMessage("t", null, JsonNull.INSTANCE, 0),
        new Frame.Direct("d-1", A, B, nested(), TS),
        new Frame.Direct(null, null, MIXED, JsonNull.INSTANCE, 0),
        new Frame.Presence("q-1", "global", null),
        new Frame.Presence(null, null, "chat/room-1"),
        new Frame.Ack("q-1", json("{\"peers\":[\"" + A + "\"],\"count\":1,\"truncated\":false,\"networkName\":\"global\"}"), TS),
        new Frame.Ack("x", JsonNull.INSTANCE, 0));
  }

  /** Input shortened for failure messages, with control characters made visible. */
  static String clip(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 300; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return s.length() > 300 ? b + "...(" + s.length() + " chars)" : b.toString();
  }

  static JsonElement deepArrays(int levels, JsonElement innermost) {
    JsonElement e = innermost;
    for (int i = 0; i < levels; i++) {
      JsonArray a = new JsonArray();
      a.add(e);
      e = a;
    }
    return e;
  }

  /** Text of {@code levels} nested arrays around {@code 1}. */
  static String nestedArraysText(int levels) {
    return "[".repeat(levels) + "1" + "]".repeat(levels);
  }
}
