package dev.loft.server.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.HubServer;
import dev.loft.server.events.HubEvents;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An error nothing catches on one of the hub's own threads (here: an OutOfMemoryError out of the
 * periodic memory monitor) runs the same cleanup as a shutdown and then reaches the owner's fatal
 * handler (the command line exits non-zero there).
 */
class FatalErrorOnAHubThreadStopsTheHubTest {
  @Test
  void errorOnTheHousekeeperClosesPeersEmptiesTheBusAndReportsIt() throws Exception {
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    HubServer hub = new HubServer(
        Hubs.config().monitorInterval(Duration.ofSeconds(1)) // first check after the peer is in
            .memoryPressureRatio(0.001).memoryRecoveryRatio(0.0005).build(),
        fatal::complete);
    hub.start();
    try (TestPeer peer = TestPeer.connect(hub.uri())) {
      hub.bus().subscribe(HubEvents.MemoryPressure.class, "explodes", e -> {
        throw new OutOfMemoryError("simulated");
      });
      Throwable error = fatal.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertInstanceOf(OutOfMemoryError.class, error);
      peer.expectClosed(CloseCodes.GOING_AWAY);
      assertFalse(hub.isRunning());
      await().atMost(Duration.ofSeconds(5)).until(() -> hub.bus().isClosed());
      assertEquals(0, hub.bus().listenerCount());
    } finally {
      hub.close();
    }
  }
}
