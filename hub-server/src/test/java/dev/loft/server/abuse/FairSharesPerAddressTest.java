package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.RawWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One address, 1,000 peers × 100 subscriptions, took all 100,000 hub-wide topics; a peer from
 * another address then got HUB_TOPIC_LIMIT. Every hub-wide table has a per-address share.
 */
class FairSharesPerAddressTest {

  @Test
  void oneAddressCannotTakeEveryTopicOrNetwork() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--max-topics", "2000", "--max-subscriptions-per-address", "200",
        "--max-networks", "100", "--max-networks-per-address", "10")) {
      List<RawWebSocket> hog = new ArrayList<>();
      Map<String, Integer> answers = new HashMap<>();
      try {
        for (int p = 0; p < 20; p++) {
          RawWebSocket peer = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0);
          hog.add(peer);
          peer.read(); // connected
          peer.sendText("{\"type\":\"announce\",\"id\":\"a\",\"networkName\":\"hog-" + p + "\"}");
          for (int t = 0; t < 20; t++) {
            peer.sendText("{\"type\":\"subscribe\",\"id\":\"s" + t + "\",\"topic\":\"hog." + p + "." + t + "\"}");
          }
          for (int i = 0; i < 21; i++) {
            JsonObject f = JsonParser.parseString(peer.read().text()).getAsJsonObject();
            String what = f.get("type").getAsString().equals("error") ? f.get("code").getAsString() : f.get("type").getAsString();
            answers.merge(what, 1, Integer::sum);
          }
        }
        assertEquals(200 + 10, answers.get("ack"), "200 subscriptions and 10 networks acked: " + answers);
        assertEquals(200 + 10, answers.get("ADDRESS_LIMIT"), answers.toString());

        // Another address is not affected: it may still create topics and networks.
        try (RawWebSocket other = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.3", 0)) {
          other.read();
          other.sendText("{\"type\":\"announce\",\"id\":\"a\",\"networkName\":\"mine\"}");
          other.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"mine\"}");
          assertEquals("ack", JsonParser.parseString(other.read().text()).getAsJsonObject().get("type").getAsString());
          assertEquals("ack", JsonParser.parseString(other.read().text()).getAsJsonObject().get("type").getAsString());
        }
        JsonObject s = hub.stats();
        assertTrue(Abuse.counter(s, "abuse", "addressLimitHits") >= 210, s::toString);
      } finally {
        hog.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 0);
    }
  }
}
