package dev.loft.server.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.TestPeer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real command line in its own JVM: SIGTERM closes every peer with 1001 and the process exits
 * 0 (a signal alone would exit 143).
 */
class HubProcessStopsCleanlyOnSigtermTest {

  @Test
  void sigtermClosesPeersWith1001AndExitsZero() throws Exception {
    try (ChildHub hub = ChildHub.start("128m", "--shutdown-grace", "2s")) {
      try (TestPeer peer = TestPeer.connect(hub.uri())) {
        peer.announce("n");
        hub.process().destroy(); // SIGTERM
        peer.expectClosed(CloseCodes.GOING_AWAY);
      }
      assertTrue(hub.process().waitFor(15, TimeUnit.SECONDS), "hub did not exit after SIGTERM");
      assertEquals(0, hub.process().exitValue(), () -> "exit status; output:\n" + hub.output());
    }
  }
}
