package dev.loft.server.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.HubServer;
import dev.loft.server.events.HubEvents;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.TestPeer;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An OutOfMemoryError in a decoder thread made Java-WebSocket stop its server (port closed) while
 * /health said "ok" for ~17 s. Out of memory anywhere must turn /health 503 at once and reach the
 * owner at once (the command line exits non-zero within the second).
 */
class OutOfMemoryAnywhereIsFatalAtOnceTest {

  @Test
  void outOfMemoryInADecoderThreadTurnsHealth503AndTellsTheOwnerAtOnce() throws Exception {
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
    // Like the command line's handler, which halts the process here: the hub must already say 503.
    HubServer hub = new HubServer(Hubs.config().adminPort(0).build(), error -> {
      fatal.complete(error);
      try {
        checked.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    hub.start();
    try (TestPeer peer = TestPeer.connect(hub.uri())) {
      hub.bus().subscribe(HubEvents.FrameReceived.class, "exhausts-the-heap", e -> {
        throw new OutOfMemoryError("simulated, on the decoder thread");
      });
      AdminHttp admin = new AdminHttp(hub.adminPort());
      peer.announce("n");
      long sent = System.nanoTime();
      Throwable error = fatal.get(5, TimeUnit.SECONDS);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      assertInstanceOf(OutOfMemoryError.class, error);
      assertTrue(millis < 1_000, "the owner heard of it after " + millis + " ms");
      HttpResponse<String> health = admin.get("/health");
      assertEquals(503, health.statusCode(), health.body());
      assertTrue(health.body().contains("fatal"), health.body());
      checked.countDown();
    } finally {
      checked.countDown();
      hub.close();
    }
  }

  @Test
  void outOfMemoryOnAnyThreadOfTheProcessExitsNonZeroWithinASecond() throws Exception {
    try (ChildHub hub = ChildHub.startMain("64m", ExhaustsTheHeapOnCommand.class.getName())) {
      long sent = System.nanoTime();
      hub.command("exhaust");
      assertTrue(hub.process().waitFor(5, TimeUnit.SECONDS), "still running after an OutOfMemoryError:\n" + hub.output());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      assertEquals(70, hub.process().exitValue(), hub.output());
      // Allocating 64 MiB takes a few ms; the rest is the hub's reaction, bounded by the second.
      assertTrue(millis < 1_500, "exited " + millis + " ms after the command:\n" + hub.output());
    }
  }

  /** The command line, plus a thread that exhausts the heap when told to on standard input. */
  public static final class ExhaustsTheHeapOnCommand {
    public static void main(String[] args) throws Exception {
      Thread trigger = new Thread(() -> {
        try {
          java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
          if ("exhaust".equals(in.readLine())) {
            java.util.List<long[]> hog = new java.util.ArrayList<>();
            while (true) {
              hog.add(new long[1 << 20]); // OutOfMemoryError, uncaught: the default handler's
            }
          }
        } catch (java.io.IOException e) {
          // stdin closed: the test is over
        }
      }, "heap-exhauster");
      trigger.start();
      dev.loft.server.cli.LoftHubMain.main(args);
    }
  }
}
