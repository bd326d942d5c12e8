package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 60 peers announcing ~250 KB of tiny JSON elements each made the hub keep ~10 MiB of parsed tree
 * per peer until an OutOfMemoryError stopped its listener. Announce data is now capped and kept as
 * text, and no frame's data becomes a tree on the hub's path.
 */
class RetainedDataIsCappedAndKeptAsTextTest {
  private static final int PEERS = 60;

  /** An array of tiny arrays: the most tree per byte of JSON. */
  private static String tinyElements(int bytes) {
    StringBuilder sb = new StringBuilder(bytes + 8).append('[');
    while (sb.length() < bytes) {
      sb.append("[0],");
    }
    sb.setLength(sb.length() - 1);
    return sb.append(']').toString();
  }

  @Test
  void tinyElementTreesInEveryFrameDoNotExhaustASmallHeap() throws Exception {
    String tree = tinyElements(250_000);
    try (ChildHub hub = ChildHub.start(Abuse.HEAP); HealthyPair pair = HealthyPair.start(hub.uri())) {
      List<RawWebSocket> attackers = new ArrayList<>();
      try {
        for (int i = 0; i < PEERS; i++) {
          RawWebSocket a = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0);
          attackers.add(a);
          a.read(); // connected
          a.sendText("{\"type\":\"announce\",\"networkName\":\"n\",\"data\":{\"blob\":" + tree + "}}");
          JsonObject refused = JsonParser.parseString(a.read().text()).getAsJsonObject();
          assertEquals("ANNOUNCE_TOO_LARGE", refused.get("code").getAsString(), refused::toString);
          // The same tree as a publish payload: forwarded as text, never parsed.
          a.sendText("{\"type\":\"publish\",\"topic\":\"void\",\"id\":\"p\",\"data\":" + tree + "}");
        }
        for (RawWebSocket a : attackers) {
          JsonObject ack = JsonParser.parseString(a.read().text()).getAsJsonObject();
          assertEquals("ack", ack.get("type").getAsString(), ack::toString);
        }
        JsonObject s = Abuse.statsAfterGc(hub);
        assertEquals("ok", JsonParser.parseString(hub.admin().get("/health").body()).getAsJsonObject().get("status").getAsString());
        long live = s.get("heapUsedBytes").getAsLong() >> 20;
        assertTrue(live < 40, "live heap with " + PEERS + " tree senders connected: " + live + " MiB");
        assertEquals(PEERS, Abuse.counter(s, "abuse", "announceTooLarge"), s::toString);
      } finally {
        attackers.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 2);
      System.out.println("[abuse] tiny-element trees: " + pair.assertUnharmed(5, 3_000));
    }
  }
}
