package dev.loft.stress;

import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * A topic subscriber's handler for the fanout-style scenarios: it subscribes once connected,
 * counts its ack, and tallies error frames and early closes; only MESSAGE frames differ per
 * scenario.
 */
abstract class SubscriberHandler implements Peer.Handler {
  private final byte[] subscribe;
  private final CountDownLatch acked;
  private final Tally tally;
  private final BooleanSupplier stopping;

  /** {@code stopping}: true once the scenario tears down, when errors and closes are expected. */
  SubscriberHandler(byte[] subscribe, CountDownLatch acked, Tally tally, BooleanSupplier stopping) {
    this.subscribe = subscribe;
    this.acked = acked;
    this.tally = tally;
    this.stopping = stopping;
  }

  /** A MESSAGE frame delivered on the topic. */
  abstract void onMessage(byte[] b, int off, int len);

  @Override
  public void onReady(Peer p) {
    p.send(subscribe);
  }

  @Override
  public void onFrame(Peer p, int type, byte[] b, int off, int len) {
    if (type == Bytes.MESSAGE) {
      onMessage(b, off, len);
    } else if (type == Bytes.ACK) {
      acked.countDown();
    } else if (type == Bytes.ERROR && !stopping.getAsBoolean()) {
      tally.error("", b, off, len);
    }
  }

  @Override
  public void onClosed(Peer p, int code, String reason, boolean remote) {
    if (!stopping.getAsBoolean()) {
      tally.closed("subscriber ", code, reason);
      acked.countDown(); // do not wait for an ack that cannot come; the caller checks the tally
    }
  }
}
