package dev.loft.stress;

import static dev.loft.stress.AdminClient.num;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import dev.loft.stress.ws.WsEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Option;

/**
 * topic-hog: many peers from one address each subscribe to many new topics; then a probe from
 * another address subscribes to one more, and a probe from the hog's address connects: is the
 * hog capped without locking everyone else out?
 */
final class TopicHogAttack implements Attack {
  @Option(names = "--hog-peers", defaultValue = "1000", description = "topic-hog: peers from one address (default: ${DEFAULT-VALUE}).")
  int hogPeers;

  @Option(names = "--hog-topics", defaultValue = "100", description = "topic-hog: subscriptions per peer, each a new topic (default: ${DEFAULT-VALUE}).")
  int hogTopics;

  @Option(names = "--hog-address", defaultValue = "201",
      description = "topic-hog: the peers come from 127.0.0.N (default: ${DEFAULT-VALUE}; keep it above --source-addresses).")
  int hogAddress;

  /** The hog's address must be one no other connection of the run comes from. */
  void checkAddress(int sourceAddresses) {
    if (hogAddress <= sourceAddresses || RawSockets.isSource(hogAddress)) {
      throw new IllegalArgumentException("--hog-address must be above --source-addresses and outside "
          + RawSockets.FIRST_SOURCE + ".." + (RawSockets.FIRST_SOURCE + RawSockets.SOURCES - 1));
    }
  }

  @Override
  public void run(AbuseRun r) throws Exception {
    AbuseScenario sc = r.scenario;
    Semaphore permits = new Semaphore(64);
    CountDownLatch settled = new CountDownLatch(hogPeers);
    AtomicLong acks = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    long expected = (long) hogPeers * hogTopics;
    List<Peer> peers = new ArrayList<>();
    try (WsEngine hog = new WsEngine(1, hogAddress, 1)) {
      for (int i = 0; i < hogPeers; i++) {
        final int k = i;
        peers.add(new Peer(i, "global", false, new AttackingPeer(r, permits, settled) {
          @Override
          public void onReady(Peer p) {
            for (int j = 0; j < hogTopics; j++) {
              String f = "{\"type\":\"subscribe\",\"id\":\"s" + j + "\",\"topic\":\"hog-" + sc.tag + "-" + k + "-" + j + "\"}";
              if (p.send(f)) {
                r.framesSent.incrementAndGet();
                r.bytesSent.addAndGet(f.length());
              }
            }
            super.onReady(p);
          }

          @Override
          public void onFrame(Peer p, int type, byte[] b, int off, int len) {
            super.onFrame(p, type, b, off, len);
            if (type == Bytes.ACK) {
              acks.incrementAndGet();
              answered.incrementAndGet();
            } else if (type == Bytes.ERROR) {
              answered.incrementAndGet();
            }
          }
        }));
      }
      r.begin();
      try {
        AttackingPeer.connectAll(r::running, peers, hog, r.wsUrl(), permits);
        settled.await(r.millisToEnd(), TimeUnit.MILLISECONDS);
        long connected = peers.stream().filter(Peer::isOpen).count();
        sc.awaitHub(() -> answered.get() >= connected * hogTopics || !r.running(), r.millisToEnd());
        r.extra.addProperty("hogPeersConnected", connected);
        r.extra.addProperty("subscribesSent", r.framesSent.get());
        r.extra.addProperty("subscribesAcked", acks.get());
        r.extra.addProperty("subscribesExpected", expected);
        JsonObject s = sc.stats();
        r.extra.addProperty("hubTopics", num(s, Stat.TOPICS));
        r.extra.addProperty("hubSubscriptions", num(s, Stat.SUBSCRIPTIONS));
        // Can someone else still subscribe? A fresh peer from another address tries one new topic.
        r.extra.addProperty("probeSubscribe", probeSubscribe(r, "hog-" + sc.tag + "-probe"));
        // And a peer from the hog's own address: is that address capped?
        r.extra.addProperty("probeFromHogAddress", new Probe().ask(hog, r.wsUrl()));
        r.extra.addProperty("filledAfterSeconds", Fmt.round3(r.now() - r.t0()));
        r.holdToEnd();
        r.liveUnderAttack();
        r.end();
      } finally {
        AttackingPeer.closeAll(r, peers);
        sc.awaitHub(() -> hog.live() == 0, 5_000);
      }
    }
  }

  /** A new peer subscribes to a new topic: "ack", the error code it got, or what stopped it. */
  private static String probeSubscribe(AbuseRun r, String topic) throws InterruptedException {
    return new Probe() {
      @Override
      public void onReady(Peer q) {
        q.send("{\"type\":\"subscribe\",\"id\":\"probe\",\"topic\":\"" + topic + "\"}");
      }

      @Override
      public void onFrame(Peer q, int type, byte[] b, int off, int len) {
        if (type == Bytes.ACK) {
          answer("ack");
        } else if (type == Bytes.ERROR) {
          answer(String.valueOf(Bytes.stringAfter(b, off, len, Bytes.CODE_KEY)));
        }
      }
    }.ask(r.engine(), r.wsUrl());
  }

  /** One peer asking one thing; as it is: a new peer connects, "connected" or how it was refused. */
  private static class Probe implements Peer.Handler {
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile String result = "no answer within 5 s";

    void answer(String what) {
      if (done.getCount() > 0) {
        result = what;
        done.countDown();
      }
    }

    @Override
    public void onReady(Peer q) {
      answer("connected");
    }

    @Override
    public void onClosed(Peer q, int code, String reason, boolean remote) {
      answer("closed " + code + " " + reason);
    }

    String ask(WsEngine eng, String url) throws InterruptedException {
      Peer p = new Peer(-1, "global", false, this).connect(eng, url);
      done.await(5, TimeUnit.SECONDS);
      p.close();
      return result;
    }
  }
}
