package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The budget is what makes the hub's heap for peers bounded by construction: while it is full
 * nothing new is admitted, and past its high mark the largest accounts go first. A small budget
 * (a share of a 96 MiB heap) makes each rule reachable with a few sockets.
 */
class MemoryBudgetIsEnforcedTest {

  @Test
  void connectionsPastTheBudgetAreRefusedWithTryAgainLater() throws Exception {
    // 1% of 96 MiB: about 960 KiB, some 230 idle peers at 4 KiB each.
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--memory-budget-ratio", "0.01")) {
      List<RawWebSocket> peers = new ArrayList<>();
      Map<Integer, Integer> outcomes = new HashMap<>();
      try {
        for (int i = 0; i < 400; i++) {
          RawWebSocket p = RawWebSocket.connect(hub.uri(), PeerIds.random(), i % 2 == 0 ? "127.0.0.2" : "127.0.0.3", 0);
          peers.add(p);
          RawWebSocket.Frame f = p.read();
          int outcome = f.opcode() == RawWebSocket.CLOSE ? f.closeCode() : 0;
          outcomes.merge(outcome, 1, Integer::sum);
          if (outcome == 0) {
            p.sendText("{\"type\":\"announce\",\"networkName\":\"n" + (i % 50) + "\"}");
          }
        }
        assertTrue(outcomes.getOrDefault(CloseCodes.TRY_AGAIN_LATER, 0) > 0, "some refused 1013: " + outcomes);
        assertTrue(outcomes.getOrDefault(0, 0) > 100, "the budget admits what it holds: " + outcomes);
        JsonObject budget = hub.stats().getAsJsonObject("budget");
        assertTrue(budget.get("chargedBytes").getAsLong() <= budget.get("limitBytes").getAsLong(), budget::toString);
        assertTrue(budget.getAsJsonObject("refusedByReason").get("connect").getAsLong() > 0, budget::toString);
      } finally {
        peers.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 0);
    }
  }

  @Test
  void partialFramesThatWouldNotFitAreRefusedBeforeTheyAreAllocated() throws Exception {
    // 5% of 96 MiB: under 5 MiB; 40 connections each declaring a 250,000-byte frame want 10 MB.
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--memory-budget-ratio", "0.05");
         HealthyPair pair = HealthyPair.start(hub.uri())) {
      List<RawWebSocket> attackers = new ArrayList<>();
      int refused = 0;
      try {
        for (int i = 0; i < 40; i++) {
          RawWebSocket a = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0);
          try {
            a.read(); // connected
          } catch (EOFException refusedAtConnect) {
            a.close(); // under load the earlier attackers may already fill the budget: refused at connect
            continue;
          }
          attackers.add(a);
          int declared = 250_000;
          a.sendBytes(new byte[] {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, 0, (byte) (declared >> 16),
              (byte) (declared >> 8), (byte) declared, 0, 0, 0, 0, '{'});
        }
        for (RawWebSocket a : attackers) {
          a.socket().setSoTimeout(500);
          try {
            RawWebSocket.Frame f = a.read();
            if (f.opcode() == RawWebSocket.CLOSE && f.closeCode() == CloseCodes.TRY_AGAIN_LATER) {
              refused++;
            }
          } catch (SocketTimeoutException held) {
            // admitted: its partial frame is charged to its account
          }
        }
        JsonObject s = hub.stats();
        JsonObject budget = s.getAsJsonObject("budget");
        assertTrue(refused > 0, "some partial frames refused: " + budget);
        assertTrue(budget.get("chargedBytes").getAsLong() <= budget.get("limitBytes").getAsLong(), budget::toString);
        assertTrue(budget.getAsJsonObject("chargedByKind").get("inbound").getAsLong() > 0, budget::toString);
        // Each refusal is counted (a socket may also have been evicted 4006 past the high mark).
        assertTrue(Abuse.counter(s, "abuse", "inboundOverBudget") >= refused, s::toString);
      } finally {
        attackers.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 2);
      System.out.println("[abuse] partial frames: " + refused + " of 40 refused; " + pair.assertUnharmed(5, 2_000));
    }
  }

  @Test
  void pastTheHighMarkTheLargestAccountsAreEvictedFirst() throws Exception {
    // Under 5 MiB of budget, a 4 MiB watermark: the budget, not the watermark, stops the backlogs.
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--memory-budget-ratio", "0.05",
        "--outbound-high-watermark-bytes", "4194304", "--rate-limit-per-second", "5000", "--rate-limit-burst", "5000");
         HealthyPair pair = HealthyPair.start(hub.uri())) {
      List<RawWebSocket> stuck = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) { // subscribe, then never read again
          RawWebSocket s = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 2048);
          s.sendText("{\"type\":\"subscribe\",\"topic\":\"firehose\"}");
          stuck.add(s);
        }
        String payload = "x".repeat(30_000);
        int evictedOverBudget = 0;
        try (RawWebSocket publisher = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.3", 0)) {
          for (int m = 0; m < 2_000 && evictedOverBudget == 0; m++) {
            publisher.sendText("{\"type\":\"publish\",\"topic\":\"firehose\",\"data\":\"" + payload + "\"}");
            if (m % 50 == 49) {
              evictedOverBudget = (int) hub.stats().getAsJsonObject("budget").get("evictedOverBudget").getAsLong();
            }
          }
        } catch (IOException refusedWhileFull) {
          // While the budget is full (the sweeper has not evicted yet) even the publisher's next
          // partial frame is refused, 1013: admission stops before the heap grows.
        }
        try {
          org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
              .until(() -> hub.stats().getAsJsonObject("budget").get("evictedOverBudget").getAsLong() > 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          throw new AssertionError("no eviction over budget: " + hub.stats(), e);
        }
        int closed4006 = 0;
        for (RawWebSocket s : stuck) {
          if (s.readUntilClosed() == CloseCodes.OVER_BUDGET) {
            closed4006++;
          }
        }
        assertTrue(closed4006 > 0, "stuck subscribers evicted with 4006");
        JsonObject s = hub.stats();
        assertEquals(0, s.get("evictedSlow").getAsLong(), "the budget acted before any watermark: " + s);
      } finally {
        stuck.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 2);
      System.out.println("[abuse] budget high mark: " + pair.assertUnharmed(5, 3_000));
    }
  }
}
