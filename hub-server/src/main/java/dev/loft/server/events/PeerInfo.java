package dev.loft.server.events;

import java.net.InetAddress;

/**
 * What an event tells its listeners about a peer: who it is and where it came from, read-only.
 * Listeners never get the connection itself, so observing an event cannot close, write to or
 * otherwise change a peer.
 */
public interface PeerInfo {
  String id();

  InetAddress address();

  long connectedAtMillis();

  /** The network it announced into, or null before its first announce. */
  String network();
}
