package dev.loft.client;

import java.util.List;

/** Who is in a network or subscribed to a topic, as the hub answered a presence request. */
public record Presence(List<String> peers, int count, boolean truncated) {
  public Presence {
    peers = List.copyOf(peers);
  }
}
