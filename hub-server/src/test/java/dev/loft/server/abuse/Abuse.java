package dev.loft.server.abuse;

import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import dev.loft.server.core.HubCore;
import dev.loft.server.support.AbuseTokens;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.ChildHub;
import java.time.Duration;

/** What every abuse test checks after its attack, against a hub in a child JVM. */
final class Abuse {
  /** The heap the abuse suite gives its hubs: small, so that anything unbounded shows at once. */
  static final String HEAP = "96m";

  private Abuse() {}

  /** /stats after a forced GC (so heapUsedBytes is what is live). */
  static JsonObject statsAfterGc(ChildHub hub) {
    return AdminHttp.json(hub.admin().get("/stats?gc=true", AbuseTokens.ADMIN));
  }

  static long liveHeapMiB(ChildHub hub) {
    return statsAfterGc(hub).get("heapUsedBytes").getAsLong() >> 20;
  }

  /**
   * Waits until the hub holds nothing but {@code peers} well-behaved peers: the registry, the
   * pending handshakes, the addresses and every budget account are back where they were.
   */
  static JsonObject settlesTo(ChildHub hub, int peers) {
    JsonObject[] last = {null};
    try {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        JsonObject s = hub.stats();
        last[0] = s;
        JsonObject abuse = s.getAsJsonObject("abuse");
        JsonObject kinds = s.getAsJsonObject("budget").getAsJsonObject("chargedByKind");
        return s.get("peers").getAsInt() == peers
            && abuse.get("pendingHandshakes").getAsInt() == 0
            && abuse.get("addresses").getAsInt() <= Math.min(1, peers)
            && kinds.get("handshake").getAsLong() == 0
            && kinds.get("inbound").getAsLong() == 0
            && kinds.get("retained").getAsLong() <= peers * (HubCore.RETAINED_PER_PEER + 1024)
            && kinds.get("outbound").getAsLong() == 0;
      });
    } catch (RuntimeException e) {
      throw new AssertionError("the hub did not settle to " + peers + " peers; last stats: " + last[0], e);
    }
    return last[0];
  }

  static long counter(JsonObject stats, String group, String name) {
    JsonObject g = group == null ? stats : stats.getAsJsonObject(group);
    return g.get(name).getAsLong();
  }
}
