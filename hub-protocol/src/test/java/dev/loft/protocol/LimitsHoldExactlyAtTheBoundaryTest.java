package dev.loft.protocol;

import static dev.loft.protocol.Samples.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;

/**
 * Guards against off-by-one limits: every value exactly at a limit is accepted, one past it is
 * refused, so clients can rely on the documented numbers.
 */
class LimitsHoldExactlyAtTheBoundaryTest {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;

  private static ErrorCode codeOf(FrameCodec codec, String text) {
    return assertThrows(ProtocolException.class, () -> codec.decode(text)).code();
  }

  @Test
  void theDocumentedNumbers() {
    assertEquals(40, ProtocolLimits.PEER_ID_LENGTH);
    assertEquals(64, ProtocolLimits.MAX_NETWORK_NAME_LENGTH);
    assertEquals(128, ProtocolLimits.MAX_TOPIC_LENGTH);
    assertEquals(64, ProtocolLimits.MAX_REQUEST_ID_LENGTH);
    assertEquals(32, ProtocolLimits.MAX_DEPTH);
    assertEquals(256 * 1024, ProtocolLimits.DEFAULT_MAX_FRAME_BYTES);
    assertEquals("global", ProtocolLimits.DEFAULT_NETWORK);
    assertEquals(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES, FrameCodec.DEFAULT.limits().maxFrameChars());
  }

  @Test
  void nestingExactlyAtTheLimitIsAccepted() throws ProtocolException {
    String atLimit = MalformedFramesGetStableCodesTest.depthFrame(ProtocolLimits.MAX_DEPTH);
    Frame.Publish f = (Frame.Publish) CODEC.decode(atLimit);
    assertEquals(Samples.deepArrays(ProtocolLimits.MAX_DEPTH - 1, new JsonPrimitive(1)), f.data());
    assertEquals(atLimit, CODEC.encode(f));

    String objectsAtLimit =
        "{\"type\":\"ping\",\"x\":" + "{\"a\":".repeat(ProtocolLimits.MAX_DEPTH - 1) + "1"
            + "}".repeat(ProtocolLimits.MAX_DEPTH - 1) + "}";
    CODEC.decode(objectsAtLimit);
    String objectsOver =
        "{\"type\":\"ping\",\"x\":" + "{\"a\":".repeat(ProtocolLimits.MAX_DEPTH) + "1"
            + "}".repeat(ProtocolLimits.MAX_DEPTH) + "}";
    assertEquals(ErrorCode.TOO_DEEP, codeOf(CODEC, objectsOver));
  }

  @Test
  void aFrameOfExactlyTheMaximumIsAccepted() throws ProtocolException {
    String head = "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"";
    String tail = "\"}";
    String text = head + "x".repeat(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES - head.length() - tail.length()) + tail;
    assertEquals(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES, text.length());
    CODEC.decode(text);
  }

  @Test
  void theMaximumFrameSizeIsConfigurable() throws ProtocolException {
    FrameCodec small = new FrameCodec(new ProtocolLimits(100));
    String head = "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"";
    String tail = "\"}";
    String exactly = head + "x".repeat(100 - head.length() - tail.length()) + tail;
    small.decode(exactly);
    assertEquals(ErrorCode.FRAME_TOO_LARGE, codeOf(small, head + "xx".repeat(100) + tail));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, codeOf(small, exactly.replace("xxx", "xxxx")));

    FrameCodec big = new FrameCodec(new ProtocolLimits(2 * ProtocolLimits.DEFAULT_MAX_FRAME_BYTES));
    big.decode(MalformedFramesGetStableCodesTest.oversizedFrame());

    assertThrows(IllegalArgumentException.class, () -> new ProtocolLimits(63));
    new ProtocolLimits(64);
  }

  @Test
  void peerIdsAreExactlyFortyHexCharactersInEitherCase() throws ProtocolException {
    for (String id : new String[] {A, A.toUpperCase(), Samples.MIXED, "0".repeat(40), "F".repeat(40)}) {
      Frame.Signal s = (Frame.Signal) CODEC.decode("{\"type\":\"offer\",\"targetPeerId\":\"" + id + "\"}");
      assertEquals(id, s.targetPeerId(), "ids are not case-folded");
    }
    for (int i = 0; i < 100; i++) {
      String id = PeerIds.random();
      assertEquals(true, PeerIds.isValid(id), id);
      assertEquals(id.toLowerCase(java.util.Locale.ROOT), id, "random ids are lower case");
    }
    assertEquals(false, PeerIds.isValid(null));
  }

  @Test
  void networkNamesUpToSixtyFourCharactersOfAnyVisibleTextAreAccepted() throws ProtocolException {
    String max = "n".repeat(64);
    assertEquals(max, ((Frame.Announce) CODEC.decode("{\"type\":\"announce\",\"networkName\":\"" + max + "\"}")).networkName());
    String unicode = "r\u00e9seau \u2603 with spaces";
    assertEquals(
        unicode,
        ((Frame.Announce) CODEC.decode("{\"type\":\"announce\",\"networkName\":\"" + unicode + "\"}")).networkName());
    assertEquals(
        new Frame.Presence(null, max, null),
        CODEC.decode("{\"type\":\"presence\",\"networkName\":\"" + max + "\"}"));
  }

  @Test
  void topicsUpTo128VisibleAsciiCharactersAreAccepted() throws ProtocolException {
    String max = "t".repeat(128);
    assertEquals(new Frame.Subscribe(null, max), CODEC.decode("{\"type\":\"subscribe\",\"topic\":\"" + max + "\"}"));
    StringBuilder everyVisible = new StringBuilder();
    for (char c = 0x21; c <= 0x7E; c++) {
      everyVisible.append(c);
    }
    Frame.Subscribe s = new Frame.Subscribe(null, everyVisible.toString());
    assertEquals(s, CODEC.decode(CODEC.encode(s)));
  }

  @Test
  void requestIdsUpToSixtyFourCharactersAreAccepted() throws ProtocolException {
    String max = "i".repeat(64);
    assertEquals(new Frame.Subscribe(max, "t"), CODEC.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":\"" + max + "\"}"));
    String unicode = "r\u00e9q \u2603";
    assertEquals(new Frame.Ack(unicode, com.google.gson.JsonNull.INSTANCE, 0), CODEC.decode("{\"type\":\"ack\",\"id\":\"" + unicode + "\"}"));
  }

  @Test
  void aNullTextIsBadJson() {
    assertEquals(ErrorCode.BAD_JSON, codeOf(CODEC, null));
  }

  @Test
  void whitespaceAroundTheObjectIsFine() throws ProtocolException {
    assertEquals(new Frame.Ping(null), CODEC.decode(" \n\t{ \"type\" : \"ping\" }\r\n "));
  }

  @Test
  void unknownFieldsAreIgnored() throws ProtocolException {
    JsonElement ignored = null;
    assertEquals(
        new Frame.Ping(ignored),
        CODEC.decode("{\"type\":\"ping\",\"maxPeers\":3,\"future\":{\"a\":[1,{\"b\":null}]},\"isHub\":true}"));
  }
}
