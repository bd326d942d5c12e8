package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.monitor.FileDescriptors;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.TestPeer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client that opens a TCP connection and never sends its handshake (slowloris) is closed after
 * the handshake timeout; more pending handshakes than the cap are refused at accept; and the hub
 * never admits more peers than its open-file limit can carry.
 */
class HandshakesThatNeverCompleteAreReapedTest {
  /** True once the hub closed the socket (read hits end of stream), waiting at most 100 ms. */
  private static boolean closedByHub(Socket s) {
    try {
      s.setSoTimeout(100);
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void silentConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (HubServer hub = Hubs.start(Hubs.config().handshakeTimeout(Duration.ofMillis(300)));
        Socket silent = new Socket("127.0.0.1", hub.port())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> closedByHub(silent));
      assertEquals(1, hub.stats().get(Stat.HANDSHAKE_TIMEOUTS));
      try (TestPeer p = TestPeer.connect(hub.uri())) {
        p.announce("n"); // a real peer is unaffected
      }
    }
  }

  @Test
  void connectionsBeyondThePendingHandshakeCapAreRefusedAtAccept() throws Exception {
    try (HubServer hub = Hubs.start(Hubs.config().maxPendingHandshakes(2).handshakeTimeout(Duration.ofSeconds(30)));
        Socket first = new Socket("127.0.0.1", hub.port());
        Socket second = new Socket("127.0.0.1", hub.port())) {
      await().atMost(Duration.ofSeconds(5)).until(() -> !closedByHub(first) && !closedByHub(second));
      try (Socket third = new Socket("127.0.0.1", hub.port())) {
        await().atMost(Duration.ofSeconds(5)).until(() -> closedByHub(third));
      }
      assertEquals(1, hub.stats().get(Stat.REJECTED_PENDING_HANDSHAKES));
      first.close();
      second.close();
      // Once those are gone (the sweep forgets closed ones), real peers get in again.
      await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
        try (TestPeer p = TestPeer.connect(hub.uri())) {
          return true;
        }
      });
    }
  }

  @Test
  void maxPeersIsCappedBelowTheOpenFileLimit() {
    long limit = FileDescriptors.max();
    org.junit.jupiter.api.Assumptions.assumeTrue(limit > 0, "the JVM cannot tell the open-file limit here");
    try (HubServer hub = Hubs.start(Hubs.config().maxPeers(Integer.MAX_VALUE))) {
      int effective = hub.config().maxPeers();
      assertTrue(effective < limit, "max peers " + effective + " must stay below the limit " + limit);
      assertEquals(FileDescriptors.peerCapacity(limit, hub.config().maxPendingHandshakes()), effective);
      assertEquals(effective, hub.stats().get(Stat.MAX_PEERS_EFFECTIVE));
    }
  }
}
