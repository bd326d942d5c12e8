package dev.loft.protocol;

import static dev.loft.protocol.Samples.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards against an error the client cannot correlate: once the frame's {@code id} has been read,
 * the {@link ProtocolException} (and so the hub's {@code error} frame) carries it, whatever fails
 * afterwards. An id that is itself invalid is never echoed.
 */
class ErrorsCarryTheRequestIdTest {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;

  static Stream<Arguments> failuresAfterTheId() {
    return Stream.of(
        arguments("{\"id\":\"r1\"}", ErrorCode.MISSING_FIELD),
        arguments("{\"type\":\"offer\",\"id\":\"r1\"}", ErrorCode.MISSING_FIELD),
        arguments("{\"id\":\"r1\",\"type\":\"nope\"}", ErrorCode.UNKNOWN_TYPE),
        arguments("{\"type\":\"subscribe\",\"id\":\"r1\",\"topic\":\"has space\"}", ErrorCode.BAD_TOPIC),
        arguments("{\"type\":\"direct\",\"id\":\"r1\",\"targetPeerId\":\"xyz\"}", ErrorCode.BAD_PEER_ID),
        arguments("{\"type\":\"announce\",\"id\":\"r1\",\"networkName\":\"\"}", ErrorCode.BAD_NETWORK),
        arguments("{\"type\":\"presence\",\"id\":\"r1\"}", ErrorCode.MISSING_FIELD),
        arguments("{\"type\":\"presence\",\"id\":\"r1\",\"topic\":\"t\",\"networkName\":\"n\"}", ErrorCode.BAD_FRAME),
        arguments("{\"type\":\"announce\",\"id\":\"r1\",\"data\":[]}", ErrorCode.BAD_FRAME),
        // failures found while still reading the envelope, after the id
        arguments("{\"id\":\"r1\",\"type\":\"ping\",\"timestamp\":\"now\"}", ErrorCode.BAD_FRAME),
        arguments("{\"id\":\"r1\",\"type\":7}", ErrorCode.BAD_FRAME),
        arguments("{\"id\":\"r1\",\"type\":\"publish\",\"topic\":\"t\",\"data\":" + Samples.nestedArraysText(1000) + "}", ErrorCode.TOO_DEEP),
        arguments("{\"id\":\"r1\",\"type\":\"subscribe\",\"topic\":\"t\"} trailing", ErrorCode.BAD_JSON),
        arguments("{\"id\":\"r1\",\"type\":\"subscribe\",\"topic\":", ErrorCode.BAD_JSON),
        arguments("{\"id\":\"r1\",\"type\":\"ping\",}", ErrorCode.BAD_JSON));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("failuresAfterTheId")
  void theIdReadBeforeTheFailureIsCarried(String input, ErrorCode code) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> CODEC.decode(input));
    assertEquals(code, e.code(), e::getMessage);
    assertEquals("r1", e.requestId(), () -> "for " + Samples.clip(input));
  }

  static Stream<Arguments> failuresBeforeOrWithoutAValidId() {
    return Stream.of(
        arguments("not json", ErrorCode.BAD_JSON),
        arguments("[\"id\",\"r1\"]", ErrorCode.BAD_FRAME),
        arguments("{\"type\":7,\"id\":\"r1\"}", ErrorCode.BAD_FRAME),
        arguments("{\"data\":" + Samples.nestedArraysText(1000) + ",\"id\":\"r1\"}", ErrorCode.TOO_DEEP),
        arguments("{\"type\":\"offer\"}", ErrorCode.MISSING_FIELD),
        arguments("{\"type\":\"ping\",\"id\":{\"r\":1}}", ErrorCode.BAD_ID),
        // an invalid id is not echoed: an error frame carrying it would itself fail to decode
        arguments("{\"type\":\"ping\",\"id\":\"\"}", ErrorCode.BAD_ID),
        arguments("{\"type\":\"nope\",\"id\":\"" + "i".repeat(10_000) + "\"}", ErrorCode.BAD_ID),
        arguments("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":\"a\\u0000b\"}", ErrorCode.BAD_ID),
        arguments("{\"id\":\"" + "i".repeat(65) + "\",\"type\":\"ping\",\"timestamp\":\"x\"}", ErrorCode.BAD_FRAME));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("failuresBeforeOrWithoutAValidId")
  void noIdIsCarriedWhenNoValidIdWasRead(String input, ErrorCode code) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> CODEC.decode(input));
    assertEquals(code, e.code(), e::getMessage);
    assertNull(e.requestId(), () -> "for " + Samples.clip(input));
  }

  @Test
  void theHubsErrorFrameForAFailedRequestDecodesWithTheSameId() throws ProtocolException {
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> CODEC.decode("{\"type\":\"direct\",\"id\":\"req-42\",\"targetPeerId\":\"" + A + "x\"}"));
    Frame.ErrorFrame sent = new Frame.ErrorFrame(e.requestId(), e.code(), e.getMessage(), Samples.TS);
    assertEquals(sent, CODEC.decode(CODEC.encode(sent)));
    assertEquals("req-42", sent.id());
    assertEquals("BAD_PEER_ID", sent.code());
  }

  @Test
  void exceptionsAreCheapAndDescriptive() {
    ProtocolException e = new ProtocolException(ErrorCode.BAD_JSON, "oops", "r");
    assertEquals(0, e.getStackTrace().length, "bad input must not pay for a stack trace");
    assertEquals("ProtocolException[BAD_JSON]: oops", e.toString());
    assertEquals("r", e.requestId());
    assertNull(new ProtocolException(ErrorCode.BAD_JSON, "oops").requestId());
  }
}
