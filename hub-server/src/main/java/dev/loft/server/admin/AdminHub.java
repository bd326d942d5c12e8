package dev.loft.server.admin;

import dev.loft.server.stats.HubStats;

/**
 * What the admin API asks of the hub it serves beyond its core: the hub's own state. The hub
 * implements it, so the admin package never depends on {@code HubServer} (no package cycle).
 */
public interface AdminHub {
  /** A fatal error has happened: /health answers 503 {@code "fatal"} from then on. */
  boolean failed();

  boolean running();

  /** The WebSocket listener still accepts connections. */
  boolean listening();

  HubStats stats();

  /**
   * The Redis link's state for /health ({@code "up"}, {@code "down"}, {@code "connecting"}) and
   * why, or null for a hub without {@code --redis}. Not part of the hub's own health: while Redis
   * is down the hub serves its peers, so a load balancer must keep sending it peers.
   */
  default String[] redis() {
    return null;
  }
}
