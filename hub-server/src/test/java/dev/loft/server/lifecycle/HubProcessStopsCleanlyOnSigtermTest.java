package dev.loft.server.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.cli.LoftHubMain;
import dev.loft.server.support.TestPeer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real command line in its own JVM: SIGTERM closes every peer with 1001 and the process exits
 * 0 (a signal alone would exit 143).
 */
class HubProcessStopsCleanlyOnSigtermTest {
  private static final Pattern LISTENING = Pattern.compile("listening on ws://[^:]+:(\\d+)/");

  @Test
  void sigtermClosesPeersWith1001AndExitsZero() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process hub = new ProcessBuilder(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
            LoftHubMain.class.getName(), "--port", "0", "--admin-port", "-1", "--shutdown-grace", "2s",
            "--log-level", "INFO"))
        .redirectErrorStream(true)
        .start();
    try {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(hub.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            synchronized (output) {
              output.append(line).append('\n');
            }
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
        } catch (Exception e) {
          port.completeExceptionally(e);
        }
      }, "hub-output");
      reader.setDaemon(true);
      reader.start();
      Integer p = port.get(20, TimeUnit.SECONDS);
      assertNotNull(p);
      try (TestPeer peer = TestPeer.connect(URI.create("ws://127.0.0.1:" + p + "/"))) {
        peer.announce("n");
        hub.destroy(); // SIGTERM
        peer.expectClosed(CloseCodes.GOING_AWAY);
      }
      assertTrue(hub.waitFor(15, TimeUnit.SECONDS), "hub did not exit after SIGTERM");
      synchronized (output) {
        assertEquals(0, hub.exitValue(), "exit status; output:\n" + output);
      }
    } finally {
      hub.destroyForcibly();
    }
  }
}
