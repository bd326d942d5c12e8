package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A one-off task (an eviction, a force-close, a grace check) that throws on a plain
 * ScheduledThreadPoolExecutor leaves its exception in a Future nobody reads: no log, no count.
 */
class HousekeeperTaskThatThrowsIsLoggedNotLostTest {

  @Test
  void oneOffTaskFailuresAreCountedAndErrorsGoToTheFatalPath() throws Exception {
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    Housekeeper housekeeper = new Housekeeper(Executors.defaultThreadFactory(), (thread, error) -> fatal.complete(error));
    try {
      housekeeper.execute(() -> {
        throw new IllegalStateException("eviction failed");
      });
      housekeeper.schedule(() -> {
        throw new IllegalArgumentException("force-close failed");
      }, 1, TimeUnit.MILLISECONDS);
      housekeeper.submit(() -> { }); // a task that succeeds is not a failure
      await().atMost(Duration.ofSeconds(5)).until(() -> housekeeper.failures() == 2);
      housekeeper.execute(() -> {
        throw new OutOfMemoryError("simulated");
      });
      assertInstanceOf(OutOfMemoryError.class, fatal.get(5, TimeUnit.SECONDS));
      await().atMost(Duration.ofSeconds(5)).until(() -> housekeeper.failures() == 3);
      housekeeper.schedule(() -> { }, 1, TimeUnit.HOURS).cancel(false); // cancelled is not failed
      assertEquals(3, housekeeper.failures());
    } finally {
      housekeeper.shutdownNow();
    }
  }
}
