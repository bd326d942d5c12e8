package dev.loft.server.core;

import dev.loft.protocol.CloseCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a stopping hub lets its peers go: {@code 1001} to every peer, spread over half the grace in
 * ten batches (so that they do not all reconnect elsewhere in the same millisecond), then waits
 * for their close handshakes, then force-closes whoever is still there when the grace ends.
 */
final class PeerShutdown {
  private static final int BATCHES = 10;
  private static final String REASON = "Hub shutting down";

  private PeerShutdown() {}

  /** Runs on the thread that closes the hub; returns when every peer is gone or forced. */
  static void closeEveryPeer(PeerRegistry registry, long graceNanos) {
    long deadline = System.nanoTime() + graceNanos;
    List<Peer> peers = new ArrayList<>(registry.all());
    if (!peers.isEmpty()) {
      int batches = Math.min(BATCHES, peers.size());
      int perBatch = (peers.size() + batches - 1) / batches;
      long pause = graceNanos / 2 / batches;
      for (int i = 0; i < peers.size(); i++) {
        Peer p = peers.get(i);
        if (!p.isClosing()) {
          p.link().close(CloseCodes.GOING_AWAY, REASON);
        }
        if ((i + 1) % perBatch == 0 && i + 1 < peers.size()) {
          LockSupport.parkNanos(pause);
        }
      }
    }
    while (registry.size() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // waiting for peers' close handshakes
    }
    for (Peer p : new ArrayList<>(registry.all())) {
      p.link().forceClose(CloseCodes.GOING_AWAY, REASON); // grace is over
    }
  }
}
