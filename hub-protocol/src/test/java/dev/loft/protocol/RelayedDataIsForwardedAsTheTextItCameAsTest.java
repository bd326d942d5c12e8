package dev.loft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/**
 * Guards against the hub building a tree for a payload it only forwards (a 250 KB array of tiny
 * elements was ~10 MiB of tree per peer) and against the raw text being cut or widened wrongly.
 */
class RelayedDataIsForwardedAsTheTextItCameAsTest {
  private static final FrameCodec RELAYING = FrameCodec.relaying(ProtocolLimits.DEFAULTS);

  @Test
  void publishDataIsKeptAsItsExactTextNotATree() throws ProtocolException {
    String data = "[1, {\"a\" : \"}\\\"]\"}, [[]], -2.5e3, null, true]";
    Frame frame = RELAYING.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\" : \t" + data + " ,\"id\":\"r1\"}");
    Frame.Publish publish = assertInstanceOf(Frame.Publish.class, frame);
    RawJson raw = assertInstanceOf(RawJson.class, publish.data());
    assertEquals(data, raw.text());
  }

  @Test
  void rawDataIsWrittenVerbatimAndReadsBackAsTheSameValue() throws ProtocolException {
    String data = "{\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\",\"n\":[1,2,3]}";
    Frame.Publish publish = (Frame.Publish) RELAYING.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + data + "}");
    String wire = RELAYING.encode(new Frame.TopicMessage("t", PeerIds.random(), publish.data(), 1L));
    assertTrue(wire.contains("\"data\":" + data), wire);
    Frame.TopicMessage back = (Frame.TopicMessage) FrameCodec.DEFAULT.decode(wire);
    assertEquals(JsonParser.parseString(data), back.data());
  }

  @Test
  void scalarAndStringDataAtTheEndOfTheObjectAreCutExactly() throws ProtocolException {
    for (String data : new String[] {"7", "\"x,}\"", "false", "null", "{}"}) {
      Frame.Direct d = (Frame.Direct) RELAYING.decode(
          "{\"type\":\"direct\",\"targetPeerId\":\"" + PeerIds.random() + "\",\"data\":" + data + "}");
      assertEquals(data, ((RawJson) d.data()).text());
    }
  }

  @Test
  void announceDataThatIsNotAnObjectIsRefusedWithoutParsing() {
    ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
        () -> RELAYING.decode("{\"type\":\"announce\",\"data\":[1,2]}"));
    assertEquals(ErrorCode.BAD_FRAME, e.code());
  }
}
