package dev.loft.protocol;

import static dev.loft.protocol.Samples.A;
import static dev.loft.protocol.Samples.B;
import static dev.loft.protocol.Samples.TS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Guards against a frame that changes (or fails) on its way through encode and decode. */
class EveryFrameSurvivesRoundTripTest {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;

  static Stream<Frame> everyFrame() {
    return Samples.everyFrame().stream();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("everyFrame")
  void encodeThenDecodeGivesAnEqualRecord(Frame frame) throws ProtocolException {
    String wire = CODEC.encode(frame);
    Frame back = CODEC.decode(wire);
    assertEquals(frame, back, () -> "wire text: " + wire);
    assertEquals(wire, CODEC.encode(back), "re-encoding must give the same text");
    assertEquals(frame.type(), Samples.json(wire).get("type").getAsString());
  }

  @Test
  void theSamplesCoverEveryFrameRecordAndEverySignalKind() {
    Set<Class<?>> covered =
        Samples.everyFrame().stream().map(Object::getClass).collect(Collectors.toSet());
    Set<Class<?>> all = Set.copyOf(Arrays.asList(Frame.class.getPermittedSubclasses()));
    assertEquals(all, covered, "add a sample for every new Frame record");

    Set<SignalKind> kinds = EnumSet.noneOf(SignalKind.class);
    for (Frame f : Samples.everyFrame()) {
      if (f instanceof Frame.Signal s) {
        kinds.add(s.kind());
      }
    }
    assertEquals(EnumSet.allOf(SignalKind.class), kinds);
  }

  @Test
  void nullMembersInsideDataAreRelayedNotDropped() throws ProtocolException {
    // Browsers serialise RTCIceCandidate with "usernameFragment":null; the hub relays data untouched.
    String in =
        "{\"type\":\"ice-candidate\",\"targetPeerId\":\"" + B + "\","
            + "\"data\":{\"candidate\":\"\",\"sdpMid\":null,\"sdpMLineIndex\":null,\"x\":[null,{\"y\":null}]}}";
    Frame.Signal decoded = (Frame.Signal) CODEC.decode(in);
    Frame.Signal relayed = decoded.stamped(A, "global", TS);
    Frame.Signal received = (Frame.Signal) CODEC.decode(CODEC.encode(relayed));
    assertEquals(decoded.data(), received.data());
    assertEquals(
        "{\"candidate\":\"\",\"sdpMid\":null,\"sdpMLineIndex\":null,\"x\":[null,{\"y\":null}]}",
        received.data().toString());
  }

  @Test
  void numbersInDataKeepTheirExactText() throws ProtocolException {
    String data =
        "[12345678901234567890123456789,-0.0,1.5E-7,1e400,0.1000000000000000055511151231257827]";
    String in = "{\"type\":\"publish\",\"topic\":\"n\",\"data\":" + data + "}";
    String out = CODEC.encode(CODEC.decode(in));
    assertEquals(in, out);
  }

  @Test
  void stringsKeepEveryCharacter() throws ProtocolException {
    String tricky = "nul\u0000 tab\t nl\n quote\" backslash\\ bidi\u202e ls\u2028 emoji\uD83D\uDE00 html<>&'=";
    JsonObject data = new JsonObject();
    data.addProperty(tricky, tricky);
    Frame.Direct direct = new Frame.Direct("d", null, B, data, 0);
    assertEquals(direct, CODEC.decode(CODEC.encode(direct)));
  }

  @Test
  void absentOptionalFieldsDecodeToTheDocumentedDefaults() throws ProtocolException {
    Frame.Announce announce = (Frame.Announce) CODEC.decode("{\"type\":\"announce\"}");
    assertEquals(new Frame.Announce(null, "global", new JsonObject()), announce);

    Frame.Publish publish = (Frame.Publish) CODEC.decode("{\"type\":\"publish\",\"topic\":\"t\"}");
    assertEquals(JsonNull.INSTANCE, publish.data());

    Frame.ErrorFrame error = (Frame.ErrorFrame) CODEC.decode("{\"type\":\"error\"}");
    assertEquals("UNSPECIFIED", error.code());
    assertEquals("UNSPECIFIED", error.message());

    Frame.PeerDiscovered discovered =
        (Frame.PeerDiscovered) CODEC.decode("{\"type\":\"peer-discovered\",\"data\":{\"peerId\":\"" + A + "\"}}");
    assertEquals("global", discovered.networkName());
    assertEquals(A, discovered.peerId());
  }

  @Test
  void fractionalTimestampsKeepTheIntegerPart() throws ProtocolException {
    Frame f = CODEC.decode("{\"type\":\"pong\",\"timestamp\":1795358139363.75}");
    assertEquals(new Frame.Pong(null, TS), f);
    assertInstanceOf(Frame.Pong.class, CODEC.decode("{\"type\":\"pong\",\"timestamp\":null}"));
  }

  @Test
  void stampingReplacesSenderNetworkAndTimeAndDropsTheRequestId() {
    Frame.Signal fromClient =
        new Frame.Signal(SignalKind.OFFER, "r-9", B, A, "spoofed", Samples.sdp("offer"), 42);
    Frame.Signal stamped = fromClient.stamped(B.replace('b', 'c'), "global", TS);
    assertEquals(
        new Frame.Signal(SignalKind.OFFER, null, B.replace('b', 'c'), A, "global", Samples.sdp("offer"), TS),
        stamped);

    Frame.Direct direct = new Frame.Direct("r-8", B, A, JsonNull.INSTANCE, 42);
    assertEquals(new Frame.Direct(null, "c".repeat(40), A, JsonNull.INSTANCE, TS), direct.stamped("c".repeat(40), TS));
    assertTrue(!CODEC.encode(stamped).contains("\"id\""));
  }
}
