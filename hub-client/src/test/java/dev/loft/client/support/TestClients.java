package dev.loft.client.support;

import dev.loft.client.HubClientOptions;
import dev.loft.client.ReconnectPolicy;
import java.net.URI;
import java.time.Duration;

/** Options suited to tests: quick reconnects and timeouts, no pings. */
public final class TestClients {
  private TestClients() {}

  public static HubClientOptions.Builder options(URI hub) {
    return HubClientOptions.builder()
        .uri(hub)
        .connectTimeout(Duration.ofSeconds(5))
        .requestTimeout(Duration.ofSeconds(5))
        .closeTimeout(Duration.ofSeconds(2))
        .pingInterval(Duration.ZERO)
        .reconnectPolicy(ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)));
  }
}
