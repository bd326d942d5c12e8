package dev.loft.server.support;

import dev.loft.server.HubServer;
import dev.loft.server.config.HubConfig;
import java.time.Duration;

/** Test hubs: port 0, admin disabled unless asked, short shutdown grace. */
public final class Hubs {
  private Hubs() {}

  /** Defaults for tests; tests tighten the one bound they hit. */
  public static HubConfig.Builder config() {
    return HubConfig.builder()
        .port(0)
        .adminPort(-1)
        .shutdownGrace(Duration.ofSeconds(2))
        .maxPeers(5_000) // below any CI machine's open-file limit: no "max peers lowered" warning per test
        .decoderThreads(2);
  }

  public static HubServer start() {
    return HubServer.start(config().build());
  }

  public static HubServer start(HubConfig.Builder config) {
    return HubServer.start(config.build());
  }
}
