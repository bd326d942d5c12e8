package dev.loft.client.support;

import dev.loft.server.HubServer;
import dev.loft.server.config.HubConfig;
import java.net.URI;
import java.time.Duration;

/** Starts real hubs for tests: loopback, a free port (or a given one), no admin server. */
public final class TestHub {
  private TestHub() {}

  public static HubServer start() {
    return startOn(0);
  }

  /** A hub on {@code port}, e.g. the port of a hub just closed, to simulate a restart. */
  public static HubServer startOn(int port) {
    return HubServer.start(
        HubConfig.builder()
            .port(port)
            .adminPort(-1)
            // Closing a hub spreads its 1001s over half this grace; keep restarts quick.
            .shutdownGrace(Duration.ofMillis(200))
            .maxPeers(5_000) // below any CI machine's open-file limit: no "max peers lowered" warning
            .build());
  }

  public static URI uri(HubServer hub) {
    return URI.create("ws://127.0.0.1:" + hub.port() + "/");
  }
}
