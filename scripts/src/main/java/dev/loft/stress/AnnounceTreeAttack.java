package dev.loft.stress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/**
 * announce-tree: connections that each announce once with a frame just under the size limit made
 * of a tiny element repeated, so that parsing it builds the largest tree a frame can ask for.
 */
final class AnnounceTreeAttack implements Attack {
  @Option(names = "--connections", defaultValue = "60", description = "announce-tree: attacking connections (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--tree-bytes", defaultValue = "250000",
      description = "announce-tree: size of each announce frame; keep it under the hub's --max-frame-bytes, 262144 (default: ${DEFAULT-VALUE}).")
  int treeBytes;

  @Option(names = "--tree-element", defaultValue = "[0]",
      description = "announce-tree: the tiny JSON element repeated in data.t (default: ${DEFAULT-VALUE}; try {} or []).")
  String treeElement;

  @Option(names = "--tree-shared-network",
      description = "announce-tree: all attackers in one network (adds discovery fan-out) instead of one network each.")
  boolean treeSharedNetwork;

  @Override
  public void run(AbuseRun r) throws Exception {
    int per = treeElement.length() + 1;
    String net0 = "abuse-" + r.scenario.tag + "-tree";
    String head = "{\"type\":\"announce\",\"networkName\":\"" + net0 + "-0000\",\"data\":{\"t\":[";
    String tail = "]}}";
    int n = Math.max(1, (treeBytes - head.length() - tail.length() + 1) / per);
    StringBuilder body = new StringBuilder(n * per);
    for (int i = 0; i < n; i++) {
      body.append(i == 0 ? "" : ",").append(treeElement);
    }
    String elements = body.toString();
    int frameLen = head.length() + elements.length() + tail.length();
    r.extra.addProperty("frameBytes", frameLen);
    r.extra.addProperty("elementsPerFrame", n);
    r.extra.addProperty("networks", treeSharedNetwork ? 1 : connections);
    Semaphore permits = new Semaphore(32);
    CountDownLatch settled = new CountDownLatch(connections);
    AtomicInteger announced = new AtomicInteger();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      String net = net0 + "-" + String.format(Locale.ROOT, "%04d", treeSharedNetwork ? 0 : i);
      byte[] frame = ("{\"type\":\"announce\",\"networkName\":\"" + net + "\",\"data\":{\"t\":[" + elements + tail)
          .getBytes(StandardCharsets.UTF_8);
      peers.add(new Peer(i, net, false, new AttackingPeer(r, permits, settled) {
        @Override
        public void onReady(Peer p) {
          if (p.send(frame)) {
            r.framesSent.incrementAndGet();
            r.bytesSent.addAndGet(frame.length);
            announced.incrementAndGet();
          }
          super.onReady(p);
        }
      }));
    }
    r.begin();
    try {
      AttackingPeer.connectAll(r::running, peers, r.engine(), r.wsUrl(), permits);
      boolean all = settled.await(r.millisToEnd(), TimeUnit.MILLISECONDS);
      r.extra.addProperty("announced", announced.get());
      r.extra.addProperty("allConnectedInTime", all);
      r.holdToEnd();
      r.liveUnderAttack();
      r.end();
    } finally {
      AttackingPeer.closeAll(r, peers);
    }
  }
}
