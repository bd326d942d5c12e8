package dev.loft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Guards option handling: bad values refused at build time, built options immutable. */
class HubClientOptionsAreSealedAndValidatedTest {

  @Test
  void defaultsAreFilledIn() {
    HubClientOptions o = HubClientOptions.builder().uri("ws://127.0.0.1:3000/").build();
    assertTrue(PeerIds.isValid(o.peerId()));
    assertEquals("global", o.networkName());
    assertEquals(HubClientOptions.DEFAULT_RECONNECT, o.reconnectPolicy());
    assertEquals(HubClientOptions.DEFAULT_MAX_QUEUED_EVENTS, o.maxQueuedEvents());
    assertNotEquals(o.peerId(), HubClientOptions.builder().uri("ws://127.0.0.1:3000/").build().peerId());
  }

  @Test
  void aBuiltBuilderIsSealed() {
    HubClientOptions.Builder b = HubClientOptions.builder().uri("ws://h:1/");
    b.build();
    assertThrows(IllegalStateException.class, () -> b.networkName("x"));
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void announceDataCannotBeChangedAfterBuilding() {
    JsonObject data = new JsonObject();
    data.addProperty("a", 1);
    HubClientOptions o = HubClientOptions.builder().uri("ws://h:1/").announceData(data).build();
    data.addProperty("a", 2);
    o.announceData().addProperty("a", 3);
    assertEquals(1, o.announceData().get("a").getAsInt());
  }

  @Test
  void badValuesAreRefused() {
    assertThrows(IllegalStateException.class, () -> HubClientOptions.builder().build());
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().uri("http://h/"));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().uri("ws://h/?peerId=abc"));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().peerId("xyz"));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().networkName(""));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().requestTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().maxPendingRequests(0));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().maxQueuedEvents(0));
    assertThrows(IllegalArgumentException.class, () -> HubClientOptions.builder().pingInterval(Duration.ofSeconds(-1)));
  }

  /** A message that only says "invalid" sends the user hunting through every option they set. */
  @Test
  void refusalsNameTheOptionAndTheBadValue() {
    HubClientOptions.Builder b = HubClientOptions.builder();
    assertMessage(IllegalArgumentException.class, "uri", "http://h/", () -> b.uri("http://h/"));
    assertMessage(IllegalArgumentException.class, "peerId", "xyz", () -> b.peerId("xyz"));
    assertMessage(IllegalArgumentException.class, "networkName", "\t", () -> b.networkName("\t"));
    assertMessage(IllegalArgumentException.class, "requestTimeout", "PT0S", () -> b.requestTimeout(Duration.ZERO));
    assertMessage(IllegalArgumentException.class, "pingInterval", "PT-1S", () -> b.pingInterval(Duration.ofSeconds(-1)));
    assertMessage(IllegalArgumentException.class, "maxPendingRequests", "0", () -> b.maxPendingRequests(0));
    assertMessage(IllegalArgumentException.class, "maxBufferedBytes", "-1", () -> b.maxBufferedBytes(-1));
    assertMessage(IllegalArgumentException.class, "minDelay", "PT0S", () -> ReconnectPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)));
    assertMessage(IllegalArgumentException.class, "maxAttempts", "-2", () -> ReconnectPolicy.never().withMaxAttempts(-2));
    assertMessage(NullPointerException.class, "connectTimeout", "", () -> b.connectTimeout(null));
    assertMessage(NullPointerException.class, "announceData", "", () -> b.announceData(null));
    assertMessage(NullPointerException.class, "reconnectPolicy", "", () -> b.reconnectPolicy(null));
    assertMessage(NullPointerException.class, "errorListener", "", () -> b.errorListener(null));
  }

  private static void assertMessage(Class<? extends RuntimeException> type, String option, String value, Executable call) {
    String message = assertThrows(type, call).getMessage();
    assertTrue(message != null && message.contains(option) && message.contains(value), message);
  }
}
