package dev.loft.client;

import dev.loft.client.internal.DefaultHubClient;

/** Creates {@link HubClient}s. */
public final class HubClients {
  private HubClients() {}

  /** A new, unconnected client; call {@link HubClient#connect()}. Starts no thread yet. */
  public static HubClient create(HubClientOptions options) {
    return new DefaultHubClient(options);
  }
}
