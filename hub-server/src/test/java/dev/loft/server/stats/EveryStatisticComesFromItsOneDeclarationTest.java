package dev.loft.server.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loft.server.HubServer;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.TestPeer;
import org.junit.jupiter.api.Test;

/**
 * A statistic is declared once ({@link Stat}); {@code /stats}, {@code /metrics} and the reading
 * of another hub's {@code /stats} derive from that declaration, so none of them can forget one,
 * disagree on a name, or serve a gauge nobody feeds.
 */
class EveryStatisticComesFromItsOneDeclarationTest {

  @Test
  void everyDeclaredStatisticIsServedByStatsAndEveryExportedOneByMetrics() {
    try (HubServer hub = Hubs.start(Hubs.config().adminPort(0))) {
      TestPeer peer = TestPeer.connect(hub.uri());
      AdminHttp admin = new AdminHttp(hub.adminPort());
      JsonObject stats = AdminHttp.json(admin.get("/stats"));
      String metrics = admin.get("/metrics").body();
      for (Stat s : Stat.all()) {
        JsonObject parent = s.group() == null ? stats : stats.getAsJsonObject(s.group());
        assertTrue(parent != null && parent.has(s.key()), "/stats lacks " + s.name());
        boolean hasSamples = !s.isKeyed() || parent.getAsJsonObject(s.key()).size() > 0; // no key, no sample
        if (s.metricName() != null && hasSamples) {
          assertTrue(metrics.contains("# HELP " + s.metricName()), "/metrics lacks " + s.metricName());
        }
      }
      assertEquals(1, stats.get("peers").getAsLong());
      assertTrue(metrics.contains("loft_peers 1"), metrics);
      peer.close();
    }
  }

  @Test
  void anotherHubsStatsReadBackAsTheyWereServed() {
    try (HubServer hub = Hubs.start(Hubs.config().adminPort(0))) {
      TestPeer.connect(hub.uri()).close();
      JsonObject served = AdminHttp.json(new AdminHttp(hub.adminPort()).get("/stats"));
      HubStats read = HubStats.fromJson(served);
      assertEquals(served, read.toJson());
      assertEquals(served.getAsJsonObject("budget").get("limitBytes").getAsLong(), read.get(Stat.BUDGET_LIMIT_BYTES));
    }
  }

  @Test
  void statisticsAnOlderHubDidNotServeReadAsAbsentNotAsAnError() {
    JsonObject older = new JsonObject();
    older.addProperty("peers", 3);
    HubStats read = HubStats.fromJson(older);
    assertEquals(3, read.get(Stat.PEERS));
    assertEquals(0, read.get(Stat.HANDSHAKE_TOO_LARGE));
    assertTrue(!read.has(Stat.HANDSHAKE_TOO_LARGE));
    assertTrue(read.keyed(Stat.LIMIT_HITS).isEmpty());
  }

  @Test
  void aGaugeDeclaredButNeverBoundFailsTheAssemblyNotAScrape() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new StatStore().checkComplete());
    assertTrue(e.getMessage().contains(Stat.UPTIME_MILLIS.name()), e.getMessage());
  }

  @Test
  void aCounterFedByAnotherComponentCannotAlsoBeIncrementedHere() {
    StatStore store = new StatStore().bind(Stat.LISTENER_ERRORS, () -> 7);
    assertThrows(IllegalArgumentException.class, () -> store.increment(Stat.LISTENER_ERRORS));
    assertThrows(IllegalStateException.class, () -> store.bind(Stat.LISTENER_ERRORS, () -> 8));
    assertThrows(IllegalArgumentException.class, () -> store.increment(Stat.PEERS));
  }

  @Test
  void keyedCountersServeWhatWasCountedByKey() {
    StatStore store = new StatStore();
    store.increment(Stat.LIMIT_HITS, "maxTopics");
    store.increment(Stat.LIMIT_HITS, "maxTopics");
    store.increment(Stat.FRAMES_IN);
    JsonElement limitHits = store.snapshot().toJson().get("limitHits");
    assertEquals(2, limitHits.getAsJsonObject().get("maxTopics").getAsLong());
    assertEquals(1, store.snapshot().get(Stat.FRAMES_IN));
  }
}
