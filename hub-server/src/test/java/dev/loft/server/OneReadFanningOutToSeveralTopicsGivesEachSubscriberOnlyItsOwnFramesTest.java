package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.RawWebSocket;
import dev.loft.server.support.TestPeer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the hub sends while handling one read is gathered per receiver, and receivers that got the
 * same frames share one copy of them. A receiver whose frames differ from the previous one's
 * (subscribed to other topics) must never get that copy: each subscriber gets exactly its own
 * topics' messages, in order, whether the read's fan-out is written from the decoder thread (few
 * receivers) or by the selector (many). The two single-topic groups get as many frames as each
 * other, so only the frames' identities tell their lists apart.
 */
class OneReadFanningOutToSeveralTopicsGivesEachSubscriberOnlyItsOwnFramesTest {

  @ParameterizedTest(name = "{0} subscribers per group")
  @ValueSource(ints = {2, 12}) // 6 receivers: written directly; 36: through the selector
  void everySubscriberGetsExactlyItsTopicsMessagesInOrder(int perGroup) throws Exception {
    try (HubServer hub = Hubs.start(Hubs.config())) {
      List<TestPeer> onlyA = subscribers(hub, perGroup, "a");
      List<TestPeer> onlyB = subscribers(hub, perGroup, "b");
      List<TestPeer> both = subscribers(hub, perGroup, "a", "b");
      try (RawWebSocket publisher = RawWebSocket.connect(hub.uri(), PeerIds.random())) {
        publisher.read(); // connected
        publisher.sendTextsInOneWrite(
            publish("a", "a1"), publish("b", "b1"), publish("a", "a2"), publish("b", "b2"));
        publisher.sendTextsInOneWrite(publish("a", "end"), publish("b", "end"));
        for (TestPeer s : onlyA) {
          assertEquals(List.of("a1", "a2", "end"), messagesUntilEnd(s, 1));
        }
        for (TestPeer s : onlyB) {
          assertEquals(List.of("b1", "b2", "end"), messagesUntilEnd(s, 1));
        }
        for (TestPeer s : both) {
          assertEquals(List.of("a1", "b1", "a2", "b2", "end", "end"), messagesUntilEnd(s, 2));
        }
      } finally {
        onlyA.forEach(TestPeer::close);
        onlyB.forEach(TestPeer::close);
        both.forEach(TestPeer::close);
      }
    }
  }

  private static String publish(String topic, String data) {
    return "{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}";
  }

  private static List<TestPeer> subscribers(HubServer hub, int n, String... topics) {
    List<TestPeer> peers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestPeer p = TestPeer.connect(hub.uri());
      for (String topic : topics) {
        p.send(Json.obj("type", "subscribe", "id", "s-" + topic, "topic", topic));
        p.expect("ack");
      }
      peers.add(p);
    }
    return peers;
  }

  /** The data of every message until {@code ends} "end" messages arrived. */
  private static List<String> messagesUntilEnd(TestPeer p, int ends) {
    List<String> seen = new ArrayList<>();
    int endsSeen = 0;
    while (endsSeen < ends) {
      JsonObject m = p.expect("message");
      String data = m.get("data").getAsString();
      seen.add(data);
      endsSeen += data.equals("end") ? 1 : 0;
    }
    return seen;
  }
}
