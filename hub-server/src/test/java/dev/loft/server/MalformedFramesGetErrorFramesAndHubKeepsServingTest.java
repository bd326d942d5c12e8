package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input from one peer gets an error frame with a stable code; the hub serves everyone else. */
class MalformedFramesGetErrorFramesAndHubKeepsServingTest {
  private static HubServer hub;
  private static TestPeer bad;
  private static TestPeer good;
  private static TestPeer other;

  @BeforeAll
  static void start() {
    hub = Hubs.start();
    bad = TestPeer.connect(hub.uri());
    good = TestPeer.connect(hub.uri());
    other = TestPeer.connect(hub.uri());
    good.announce("n");
    other.announce("n");
    good.expect("peer-discovered");
    other.expect("peer-discovered");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static Stream<Arguments> malformed() {
    String hexish = "g".repeat(40);
    return Stream.of(
        Arguments.of("not json", "BAD_JSON"),
        Arguments.of("{\"type\":\"offer\"", "BAD_JSON"),
        Arguments.of("null", "BAD_FRAME"),
        Arguments.of("42", "BAD_FRAME"),
        Arguments.of("[1,2]", "BAD_FRAME"),
        Arguments.of("\"announce\"", "BAD_FRAME"),
        Arguments.of("{}", "MISSING_FIELD"),
        Arguments.of("{\"type\":7}", "BAD_FRAME"),
        Arguments.of("{\"type\":\"teleport\"}", "UNKNOWN_TYPE"),
        Arguments.of("{\"type\":\"offer\"}", "MISSING_FIELD"),
        Arguments.of("{\"type\":\"offer\",\"targetPeerId\":\"" + hexish + "\"}", "BAD_PEER_ID"),
        Arguments.of("{\"type\":\"offer\",\"targetPeerId\":12}", "BAD_FRAME"),
        Arguments.of("{\"type\":\"subscribe\",\"topic\":\"" + "x".repeat(10_000) + "\"}", "BAD_TOPIC"),
        Arguments.of("{\"type\":\"subscribe\",\"topic\":\"has space\"}", "BAD_TOPIC"),
        Arguments.of("{\"type\":\"announce\",\"networkName\":\"" + "n".repeat(65) + "\"}", "BAD_NETWORK"),
        Arguments.of("{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + "[".repeat(200) + "]".repeat(200) + "}", "TOO_DEEP"),
        Arguments.of("{\"type\":\"subscribe\",\"id\":{\"a\":1},\"topic\":\"t\"}", "BAD_ID"),
        Arguments.of("{\"type\":\"ack\",\"id\":\"x\"}", "UNKNOWN_TYPE"),
        Arguments.of("{\"type\":\"presence\",\"id\":\"q\"}", "MISSING_FIELD"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("malformed")
  void malformedFrameGetsErrorWithCodeAndOthersAreUnaffected(String text, String code) {
    bad.send(text);
    bad.expectError(code);
    good.send(Json.obj("type", "offer", "targetPeerId", other.id(), "data", Json.obj()));
    assertEquals(good.id(), other.expect("offer").get("fromPeerId").getAsString());
  }

  @Test
  void requestIdIsEchoedOnTheErrorWhenItCouldBeRead() {
    bad.send("{\"type\":\"subscribe\",\"id\":\"req-9\",\"topic\":\"\"}");
    assertEquals("req-9", bad.expectError("BAD_TOPIC").get("id").getAsString());
  }

  @Test
  void errorsAreCountedByCode() {
    bad.send("{\"type\":\"nope\"}");
    bad.expectError("UNKNOWN_TYPE");
    assertTrue(hub.stats().keyed(Stat.ERRORS_BY_CODE).getOrDefault("UNKNOWN_TYPE", 0L) >= 1);
  }
}
