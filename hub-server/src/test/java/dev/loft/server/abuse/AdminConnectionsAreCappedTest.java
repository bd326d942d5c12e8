package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.support.ChildHub;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The admin HTTP server took every connection offered: each one a file descriptor and a slot in
 * the JDK server's bookkeeping. It now takes at most --max-admin-connections.
 */
class AdminConnectionsAreCappedTest {

  @Test
  void connectionsPastTheCapAreClosedAtOnce() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--max-admin-connections", "4")) {
      int adminPort = hub.adminPort();
      List<Socket> held = new ArrayList<>();
      int closedAtOnce = 0;
      try {
        for (int i = 0; i < 10; i++) {
          Socket s = new Socket();
          s.connect(new InetSocketAddress("127.0.0.1", adminPort), 2_000);
          s.setSoTimeout(500);
          held.add(s);
          try {
            if (s.getInputStream().read() < 0) {
              closedAtOnce++;
            }
          } catch (SocketTimeoutException open) {
            // held open by the server: one of the four
          } catch (IOException reset) {
            closedAtOnce++;
          }
        }
        assertEquals(6, closedAtOnce, "connections past the cap of 4 are closed at accept");
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> hub.admin().get("/health").statusCode() == 200);
      assertTrue(hub.stats().get("peers").getAsInt() == 0);
    }
  }
}
