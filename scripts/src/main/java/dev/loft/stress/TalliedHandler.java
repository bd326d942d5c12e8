package dev.loft.stress;

import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * A peer handler that counts down a latch once connected and, while the scenario runs, tallies
 * the peer's error frames and its close. Scenarios override {@link #onFrame} for the frames they
 * drive and hand the rest to {@code super.onFrame}.
 */
class TalliedHandler implements Peer.Handler {
  private final CountDownLatch ready;
  private final Tally tally;
  private final String who;
  private final BooleanSupplier stopping;

  /**
   * {@code who} names the peer in the last-error text ("" for none); {@code stopping}: true once
   * the scenario tears down, when errors and closes are expected.
   */
  TalliedHandler(CountDownLatch ready, Tally tally, String who, BooleanSupplier stopping) {
    this.ready = ready;
    this.tally = tally;
    this.who = who;
    this.stopping = stopping;
  }

  @Override
  public void onReady(Peer p) {
    ready.countDown();
  }

  @Override
  public void onFrame(Peer p, int type, byte[] b, int off, int len) {
    if (type == Bytes.ERROR && !stopping.getAsBoolean()) {
      tally.error(who.isEmpty() ? "" : who + ": ", b, off, len);
    }
  }

  @Override
  public void onClosed(Peer p, int code, String reason, boolean remote) {
    if (!stopping.getAsBoolean()) {
      tally.closed(who.isEmpty() ? "" : who + " ", code, reason);
    }
  }
}
