package dev.loft.stress;

import dev.loft.stress.ws.WsEngine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Two well-behaved peers in their own network doing one {@code direct} round trip at a time at a
 * modest rate (A → B → A, one in flight): what an ordinary user of the hub sees while it is under
 * attack. A round trip not back within the timeout is a failure; the pinger then goes on.
 */
final class HealthyPair implements AutoCloseable {
  private static final byte[] DIRECT = Bytes.ascii("\"type\":\"direct\"");

  private final WsEngine engine;
  private final String url;
  private final double rate;
  private final long timeoutMillis;
  final Peer a;
  final Peer b;
  private final CountDownLatch ready = new CountDownLatch(2);
  private final CountDownLatch discovered = new CountDownLatch(1);
  private final Object lock = new Object();
  private long awaitedSeq = -1; // guarded by lock
  private boolean answered; // guarded by lock
  private volatile Histogram histogram = Scenario.histogram();
  final AtomicLong roundTrips = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong errorFrames = new AtomicLong();
  final AtomicLong framesSent = new AtomicLong();
  final AtomicLong framesReceived = new AtomicLong();
  private volatile long lastOkNanos;
  private volatile long maxGapNanos;
  volatile String closed; // "A closed 1006 ..." once either peer closes
  private volatile String lastError;
  private volatile boolean stop;
  private Thread pinger;

  HealthyPair(WsEngine engine, String url, String network, double rate, long timeoutMillis) {
    this.engine = engine;
    this.url = url;
    this.rate = rate;
    this.timeoutMillis = timeoutMillis;
    a = new Peer(0, network, true, new Side(true));
    b = new Peer(1, network, true, new Side(false));
  }

  private final class Side implements Peer.Handler {
    private final boolean isA;

    Side(boolean isA) {
      this.isA = isA;
    }

    @Override
    public void onReady(Peer p) {
      ready.countDown();
    }

    @Override
    public void onFrame(Peer p, int type, byte[] buf, int off, int len) {
      framesReceived.incrementAndGet();
      if (type == Bytes.PEER_DISCOVERED && isA && Bytes.indexOf(buf, off, len, Bytes.ascii(b.id)) >= 0) {
        discovered.countDown();
      } else if (type == Bytes.ERROR) {
        errorFrames.incrementAndGet();
        lastError = Bytes.text(buf, off, Math.min(len, 200));
      } else if (type == Bytes.OTHER && Bytes.indexOf(buf, off, len, DIRECT) >= 0) {
        long seq = Bytes.longAfter(buf, off, len, Bytes.SEQ_KEY);
        long t = Bytes.longAfter(buf, off, len, Bytes.LTNS_KEY);
        if (!isA) {
          if (b.send("{\"type\":\"direct\",\"targetPeerId\":\"" + a.id + "\",\"data\":{\"seq\":" + seq + ",\"ltns\":" + t + "}}")) {
            framesSent.incrementAndGet();
          }
          return;
        }
        synchronized (lock) {
          if (seq == awaitedSeq && !answered) {
            answered = true;
            Scenario.record(histogram, (System.nanoTime() - t) / 1000);
            roundTrips.incrementAndGet();
            long now = System.nanoTime();
            maxGapNanos = Math.max(maxGapNanos, now - lastOkNanos);
            lastOkNanos = now;
            lock.notifyAll();
          }
        }
      }
    }

    @Override
    public void onClosed(Peer p, int code, String reason, boolean remote) {
      if (!stop && closed == null) {
        closed = (isA ? "A" : "B") + " closed " + code + " " + reason;
      }
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  /** Connects both and waits until A has discovered B; false (with {@link #why()}) if not within the bound. */
  boolean start(long capMillis) throws InterruptedException {
    a.connect(engine, url);
    b.connect(engine, url);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(capMillis);
    if (!ready.await(capMillis, TimeUnit.MILLISECONDS)
        || !discovered.await(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
      return false;
    }
    lastOkNanos = System.nanoTime();
    pinger = new Thread(this::loop, "healthy-pair");
    pinger.setDaemon(true);
    pinger.start();
    return true;
  }

  String why() {
    return "healthy pair not ready (ready missing " + ready.getCount() + ", discovered missing " + discovered.getCount() + ")"
        + (closed != null ? "; " + closed : "") + (lastError != null ? "; last error " + lastError : "");
  }

  private void loop() {
    long interval = (long) (1e9 / rate);
    long seq = 0;
    long next = System.nanoTime();
    try {
      while (!stop) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing to the healthy rate
        }
        next = Math.max(next + interval, System.nanoTime());
        long s = ++seq;
        synchronized (lock) {
          awaitedSeq = s;
          answered = false;
        }
        boolean sent = a.send("{\"type\":\"direct\",\"targetPeerId\":\"" + b.id + "\",\"data\":{\"seq\":" + s + ",\"ltns\":"
            + System.nanoTime() + "}}");
        if (sent) {
          framesSent.incrementAndGet();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
          while (sent && !answered && !stop && closed == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          }
          if (!answered && !stop) {
            failures.incrementAndGet();
            if (!sent || closed != null) {
              // the socket is gone: do not spin; one failure per interval
              continue;
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a new measurement period (e.g. the attack): returns the histogram of the previous one. */
  Histogram swap() {
    Histogram old = histogram;
    histogram = Scenario.histogram();
    return old;
  }

  /** Longest time without a successful round trip so far (including the one in progress). */
  long maxGapMillis() {
    return Math.max(maxGapNanos, System.nanoTime() - lastOkNanos) / 1_000_000;
  }

  void resetGap() {
    lastOkNanos = System.nanoTime();
    maxGapNanos = 0;
  }

  String lastError() {
    return lastError;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    if (pinger != null) {
      pinger.join(timeoutMillis + 1000);
    }
    a.close();
    b.close();
  }
}
