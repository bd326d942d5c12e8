package dev.loft.protocol;

import static dev.loft.protocol.Samples.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards against malformed input being refused with the wrong (or an unstable) {@link ErrorCode}:
 * clients and the hub act on these codes, so each row pins one.
 */
class MalformedFramesGetStableCodesTest {
  /** The codec under test; the relaying (hub) codec must refuse exactly the same frames. */
  FrameCodec codec() {
    return FrameCodec.DEFAULT;
  }
  private static final String T = "\"targetPeerId\":\"" + A + "\"";

  static Stream<Arguments> malformed() {
    List<Arguments> rows = new ArrayList<>();
    // --- not JSON at all
    rows.add(arguments("plain words", "not json", ErrorCode.BAD_JSON));
    rows.add(arguments("empty string", "", ErrorCode.BAD_JSON));
    rows.add(arguments("only whitespace", "   \n\t", ErrorCode.BAD_JSON));
    rows.add(arguments("truncated object", "{\"type\":\"ping\"", ErrorCode.BAD_JSON));
    rows.add(arguments("truncated string", "{\"type\":\"pi", ErrorCode.BAD_JSON));
    rows.add(arguments("single quotes", "{'type':'ping'}", ErrorCode.BAD_JSON));
    rows.add(arguments("unquoted name", "{type:\"ping\"}", ErrorCode.BAD_JSON));
    rows.add(arguments("trailing comma", "{\"type\":\"ping\",}", ErrorCode.BAD_JSON));
    rows.add(arguments("comment", "{\"type\":\"ping\" /* hi */}", ErrorCode.BAD_JSON));
    rows.add(arguments("NaN in data", "{\"type\":\"ping\",\"data\":NaN}", ErrorCode.BAD_JSON));
    rows.add(arguments("bad escape", "{\"type\":\"pi\\qng\"}", ErrorCode.BAD_JSON));
    rows.add(arguments("unterminated data array", "{\"type\":\"ping\",\"data\":[1,2", ErrorCode.BAD_JSON));
    rows.add(arguments("trailing garbage", "{\"type\":\"ping\"} x", ErrorCode.BAD_JSON));
    rows.add(arguments("second object", "{\"type\":\"ping\"}{\"type\":\"ping\"}", ErrorCode.BAD_JSON));
    rows.add(arguments("trailing bracket", "{\"type\":\"ping\"}]", ErrorCode.BAD_JSON));
    rows.add(arguments("trailing array", "{\"type\":\"ping\"}[1]", ErrorCode.BAD_JSON));
    // --- JSON, but not an object
    rows.add(arguments("JSON null", "null", ErrorCode.BAD_FRAME));
    rows.add(arguments("integer", "42", ErrorCode.BAD_FRAME));
    rows.add(arguments("negative float", "-1.5e3", ErrorCode.BAD_FRAME));
    rows.add(arguments("string", "\"ping\"", ErrorCode.BAD_FRAME));
    rows.add(arguments("empty array", "[]", ErrorCode.BAD_FRAME));
    rows.add(arguments("array of frames", "[{\"type\":\"ping\"}]", ErrorCode.BAD_FRAME));
    rows.add(arguments("true", "true", ErrorCode.BAD_FRAME));
    rows.add(arguments("false", "false", ErrorCode.BAD_FRAME));
    // --- wrong field types
    rows.add(arguments("type as number", "{\"type\":1}", ErrorCode.BAD_FRAME));
    rows.add(arguments("type as object", "{\"type\":{\"a\":1}}", ErrorCode.BAD_FRAME));
    rows.add(arguments("type as array", "{\"type\":[\"ping\"]}", ErrorCode.BAD_FRAME));
    rows.add(arguments("targetPeerId as number", "{\"type\":\"offer\",\"targetPeerId\":12345}", ErrorCode.BAD_FRAME));
    rows.add(arguments("topic as boolean", "{\"type\":\"subscribe\",\"topic\":true}", ErrorCode.BAD_FRAME));
    rows.add(arguments("networkName as number", "{\"type\":\"announce\",\"networkName\":7}", ErrorCode.BAD_FRAME));
    rows.add(arguments("fromPeerId as object", "{\"type\":\"offer\"," + T + ",\"fromPeerId\":{}}", ErrorCode.BAD_FRAME));
    rows.add(arguments("code as number", "{\"type\":\"error\",\"code\":5}", ErrorCode.BAD_FRAME));
    rows.add(arguments("error as array", "{\"type\":\"error\",\"error\":[]}", ErrorCode.BAD_FRAME));
    rows.add(arguments("id as object", "{\"type\":\"ping\",\"id\":{}}", ErrorCode.BAD_ID));
    rows.add(arguments("id as number", "{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":7}", ErrorCode.BAD_ID));
    rows.add(arguments("data of announce as array", "{\"type\":\"announce\",\"data\":[]}", ErrorCode.BAD_FRAME));
    rows.add(arguments("data of announce as string", "{\"type\":\"announce\",\"data\":\"x\"}", ErrorCode.BAD_FRAME));
    rows.add(arguments("data of peer-discovered as array", "{\"type\":\"peer-discovered\",\"data\":[]}", ErrorCode.BAD_FRAME));
    rows.add(arguments("timestamp as string", "{\"type\":\"ping\",\"timestamp\":\"1795358139363\"}", ErrorCode.BAD_FRAME));
    rows.add(arguments("timestamp as boolean", "{\"type\":\"pong\",\"timestamp\":true}", ErrorCode.BAD_FRAME));
    rows.add(arguments("timestamp overflows", "{\"type\":\"pong\",\"timestamp\":1e400}", ErrorCode.BAD_FRAME));
    rows.add(arguments("timestamp beyond 9e15", "{\"type\":\"pong\",\"timestamp\":9.1e15}", ErrorCode.BAD_FRAME));
    rows.add(arguments("data.peerId as number", "{\"type\":\"connected\",\"data\":{\"peerId\":1}}", ErrorCode.BAD_PEER_ID));
    // --- missing fields
    rows.add(arguments("empty object", "{}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("missing type", "{\"data\":{\"peerId\":\"" + A + "\"}}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("type null", "{\"type\":null}", ErrorCode.MISSING_FIELD));
    for (String type : List.of("offer", "answer", "ice-candidate", "direct")) {
      rows.add(arguments(type + " without targetPeerId", "{\"type\":\"" + type + "\",\"data\":{}}", ErrorCode.MISSING_FIELD));
      rows.add(arguments(type + " with null targetPeerId", "{\"type\":\"" + type + "\",\"targetPeerId\":null}", ErrorCode.MISSING_FIELD));
    }
    for (String type : List.of("subscribe", "unsubscribe", "publish", "message")) {
      rows.add(arguments(type + " without topic", "{\"type\":\"" + type + "\",\"data\":1}", ErrorCode.MISSING_FIELD));
    }
    rows.add(arguments("ack without id", "{\"type\":\"ack\",\"data\":{}}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("connected without data.peerId", "{\"type\":\"connected\",\"data\":{}}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("peer-discovered without data", "{\"type\":\"peer-discovered\"}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("peer-disconnected without data", "{\"type\":\"peer-disconnected\"}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("presence with neither", "{\"type\":\"presence\",\"id\":\"q\"}", ErrorCode.MISSING_FIELD));
    rows.add(arguments("presence with both", "{\"type\":\"presence\",\"networkName\":\"global\",\"topic\":\"t\"}", ErrorCode.BAD_FRAME));
    // --- unknown types
    rows.add(arguments("unknown type", "{\"type\":\"chat\"}", ErrorCode.UNKNOWN_TYPE));
    rows.add(arguments("empty type", "{\"type\":\"\"}", ErrorCode.UNKNOWN_TYPE));
    rows.add(arguments("type in upper case", "{\"type\":\"OFFER\"," + T + "}", ErrorCode.UNKNOWN_TYPE));
    rows.add(arguments("type with padding", "{\"type\":\" ping\"}", ErrorCode.UNKNOWN_TYPE));
    rows.add(arguments("type of 10,000 chars", "{\"type\":\"" + "x".repeat(10_000) + "\"}", ErrorCode.UNKNOWN_TYPE));
    // --- peer ids
    rows.add(arguments("40-char non-hex id", "{\"type\":\"offer\",\"targetPeerId\":\"" + "g".repeat(40) + "\"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("40 chars, one non-hex", "{\"type\":\"offer\",\"targetPeerId\":\"" + A.substring(1) + "z\"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("40 chars with a space", "{\"type\":\"direct\",\"targetPeerId\":\"" + A.substring(1) + " \"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("40 non-ASCII digits", "{\"type\":\"offer\",\"targetPeerId\":\"" + "\u0661".repeat(40) + "\"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("39-char id", "{\"type\":\"answer\",\"targetPeerId\":\"" + A.substring(1) + "\"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("41-char id", "{\"type\":\"ice-candidate\",\"targetPeerId\":\"" + A + "a\"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("empty id", "{\"type\":\"direct\",\"targetPeerId\":\"\"}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("connected with bad peer id", "{\"type\":\"connected\",\"data\":{\"peerId\":\"abc\"}}", ErrorCode.BAD_PEER_ID));
    rows.add(arguments("peer-disconnected with bad peer id", "{\"type\":\"peer-disconnected\",\"data\":{\"peerId\":\"" + "x".repeat(40) + "\"}}", ErrorCode.BAD_PEER_ID));
    // --- topics
    rows.add(arguments("topic of 10,000 chars", "{\"type\":\"subscribe\",\"topic\":\"" + "t".repeat(10_000) + "\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("topic of 129 chars", "{\"type\":\"publish\",\"topic\":\"" + "t".repeat(129) + "\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("empty topic", "{\"type\":\"subscribe\",\"topic\":\"\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("topic with a space", "{\"type\":\"subscribe\",\"topic\":\"a b\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("topic with a control char", "{\"type\":\"unsubscribe\",\"topic\":\"a\\u0001\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("topic with DEL", "{\"type\":\"subscribe\",\"topic\":\"a\\u007f\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("topic with non-ASCII", "{\"type\":\"subscribe\",\"topic\":\"caf\u00e9\"}", ErrorCode.BAD_TOPIC));
    rows.add(arguments("presence topic too long", "{\"type\":\"presence\",\"topic\":\"" + "t".repeat(129) + "\"}", ErrorCode.BAD_TOPIC));
    // --- network names
    rows.add(arguments("network name of 65 chars", "{\"type\":\"announce\",\"networkName\":\"" + "n".repeat(65) + "\"}", ErrorCode.BAD_NETWORK));
    rows.add(arguments("network name of 10,000 chars", "{\"type\":\"goodbye\",\"networkName\":\"" + "n".repeat(10_000) + "\"}", ErrorCode.BAD_NETWORK));
    rows.add(arguments("empty network name", "{\"type\":\"announce\",\"networkName\":\"\"}", ErrorCode.BAD_NETWORK));
    rows.add(arguments("network name with newline", "{\"type\":\"announce\",\"networkName\":\"a\\nb\"}", ErrorCode.BAD_NETWORK));
    rows.add(arguments("signal network too long", "{\"type\":\"offer\"," + T + ",\"networkName\":\"" + "n".repeat(65) + "\"}", ErrorCode.BAD_NETWORK));
    rows.add(arguments("presence network too long", "{\"type\":\"presence\",\"networkName\":\"" + "n".repeat(65) + "\"}", ErrorCode.BAD_NETWORK));
    rows.add(arguments("peer-discovered network too long", "{\"type\":\"peer-discovered\",\"data\":{\"peerId\":\"" + A + "\"},\"networkName\":\"" + "n".repeat(65) + "\"}", ErrorCode.BAD_NETWORK));
    // --- request ids
    rows.add(arguments("request id of 65 chars", "{\"type\":\"ping\",\"id\":\"" + "i".repeat(65) + "\"}", ErrorCode.BAD_ID));
    rows.add(arguments("empty request id", "{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":\"\"}", ErrorCode.BAD_ID));
    rows.add(arguments("request id with a tab", "{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":\"a\\tb\"}", ErrorCode.BAD_ID));
    rows.add(arguments("bad id wins over unknown type", "{\"type\":\"nope\",\"id\":\"\"}", ErrorCode.BAD_ID));
    // --- size and depth
    rows.add(arguments("frame one char over the maximum", oversizedFrame(), ErrorCode.FRAME_TOO_LARGE));
    rows.add(arguments("1000 nested arrays in data", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + Samples.nestedArraysText(1000) + "}", ErrorCode.TOO_DEEP));
    rows.add(arguments("1000 unclosed arrays in data", "{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + "[".repeat(1000), ErrorCode.TOO_DEEP));
    rows.add(arguments("1000 nested objects in an unknown field", "{\"type\":\"ping\",\"x\":" + "{\"a\":".repeat(1000) + "1" + "}".repeat(1000) + "}", ErrorCode.TOO_DEEP));
    rows.add(arguments("one level over the limit in data", depthFrame(ProtocolLimits.MAX_DEPTH + 1), ErrorCode.TOO_DEEP));
    return rows.stream();
  }

  /** A publish frame whose total nesting (the frame object counting as 1) is {@code depth}. */
  static String depthFrame(int depth) {
    return "{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + Samples.nestedArraysText(depth - 1) + "}";
  }

  static String oversizedFrame() {
    String head = "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"";
    String tail = "\"}";
    int fill = ProtocolLimits.DEFAULT_MAX_FRAME_BYTES + 1 - head.length() - tail.length();
    String text = head + "x".repeat(fill) + tail;
    assertEquals(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES + 1, text.length());
    return text;
  }

  @ParameterizedTest(name = "[{index}] {0} -> {2}")
  @MethodSource("malformed")
  void isRefusedWithItsCode(String description, String input, ErrorCode expected) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> codec().decode(input), description);
    assertEquals(expected, e.code(), () -> description + ": " + e.getMessage() + " for " + Samples.clip(input));
  }
}
