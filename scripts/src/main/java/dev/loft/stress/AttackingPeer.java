package dev.loft.stress;

import dev.loft.stress.ws.WsEngine;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The handler of an attacking WebSocket peer: releases its connect permit once (ready or closed),
 * tallies the error codes it gets and how it ended. Attacks override what they send.
 */
class AttackingPeer implements Peer.Handler {
  final AbuseRun r;
  private final Semaphore permits;
  private final CountDownLatch settled;

  /** {@code permits} and {@code settled} (null: none) see the peer once, when it is ready or closed. */
  AttackingPeer(AbuseRun r, Semaphore permits, CountDownLatch settled) {
    this.r = r;
    this.permits = permits;
    this.settled = settled;
  }

  void done(Peer p) {
    AtomicBoolean once = (AtomicBoolean) p.state;
    if (once != null && once.compareAndSet(false, true)) {
      if (permits != null) {
        permits.release();
      }
      if (settled != null) {
        settled.countDown();
      }
    }
  }

  @Override
  public void onReady(Peer p) {
    done(p);
  }

  @Override
  public void onFrame(Peer p, int type, byte[] b, int off, int len) {
    if (type == Bytes.ERROR) {
      r.error(Bytes.stringAfter(b, off, len, Bytes.CODE_KEY));
    }
  }

  @Override
  public void onClosed(Peer p, int code, String reason, boolean remote) {
    done(p);
    if (!r.stopping) {
      r.outcome("close " + code + (reason == null || reason.isEmpty() || code == 1006 ? "" : " " + reason));
    }
  }

  /** Connects peers with at most as many handshakes in flight as {@code permits} allows, while {@code keepGoing}. */
  static void connectAll(BooleanSupplier keepGoing, List<Peer> peers, WsEngine eng, String url, Semaphore permits)
      throws InterruptedException {
    for (Peer p : peers) {
      p.state = new AtomicBoolean();
      while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (!keepGoing.getAsBoolean()) {
          return;
        }
      }
      p.connect(eng, url);
    }
  }

  /** Peers still open when the attack ends count as "still open"; then they are closed. */
  static void closeAll(AbuseRun r, List<Peer> peers) {
    for (Peer p : peers) {
      if (p.isOpen()) {
        r.outcome("still open");
      }
    }
    r.stopping = true;
    for (Peer p : peers) {
      p.close();
    }
  }
}
