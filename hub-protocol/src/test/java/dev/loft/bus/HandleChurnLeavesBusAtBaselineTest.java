package dev.loft.bus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.bus.Events.Other;
import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Guards against a bus that slowly keeps something for every registration ever made: after a
 * million handles are opened and closed it holds no types or listeners, and the heap it retains is
 * back at the baseline.
 */
class HandleChurnLeavesBusAtBaselineTest {
  private static final long TOLERANCE_BYTES = 2L * 1024 * 1024;
  private static final Class<?>[] TYPES = {Tick.class, Tock.class, Other.class};
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  /** Strongly held while measuring, so that whatever the bus retains is counted. */
  private EventBus bus;

  private final AtomicLong delivered = new AtomicLong();

  @Test
  void aMillionHandlesLeaveNothingBehind() {
    bus = EventBus.builder().name("churn").errorHandler((n, e, t) -> {}).build();
    churn(50_000); // warm up: load and compile everything the measured run uses
    long baseline = settledUsedHeap();

    churn(1_000_000);

    assertEquals(0, bus.listenerCount(), () -> "listeners left: " + bus.snapshot());
    assertEquals(0, bus.typeCount(), () -> "types left: " + bus.snapshot());
    assertTrue(bus.snapshot().listenersByType().isEmpty());
    assertTrue(delivered.get() > 0);
    long[] last = new long[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> {
          last[0] = usedHeapAfterGc();
          assertTrue(
              last[0] - baseline < TOLERANCE_BYTES,
              () -> "retained heap " + mib(last[0]) + " vs baseline " + mib(baseline));
        });
    System.out.println(
        "[churn] baseline " + mib(baseline) + ", after 1,000,000 handles " + mib(last[0]));
    Reference.reachabilityFence(bus);
  }

  /** The measurement is able to see retained listeners: otherwise the test above proves nothing. */
  @Test
  void theMeasurementSeesListenersThatAreStillHeld() {
    bus = EventBus.builder().name("held").maxListenersPerType(4_000).build();
    churn(20_000);
    long baseline = settledUsedHeap();

    List<ListenerHandle> handles = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      byte[] payload = new byte[1024]; // what a leaked listener typically keeps alive
      handles.add(bus.subscribe(Tick.class, "held-" + i, e -> delivered.addAndGet(payload.length)));
    }
    long holding = usedHeapAfterGc();
    assertTrue(
        holding - baseline > TOLERANCE_BYTES,
        "4,000 held listeners with 1 KiB each should show: baseline " + mib(baseline) + ", holding " + mib(holding));

    bus.close();
    assertEquals(0, bus.typeCount());
    // A closed handle still references its listener, so the handles must go too.
    handles.clear();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> usedHeapAfterGc() - baseline < TOLERANCE_BYTES);
    Reference.reachabilityFence(bus);
  }

  /**
   * Opens and closes {@code count} handles: batches of up to 8 listeners over three types, closed
   * in a different order than opened, with publishes in between.
   */
  private void churn(int count) {
    ListenerHandle[] batch = new ListenerHandle[8];
    int opened = 0;
    int round = 0;
    while (opened < count) {
      int size = 1 + (round % 8);
      for (int i = 0; i < size; i++) {
        Class<?> type = TYPES[(round + i) % TYPES.length];
        // A capturing lambda: a new listener object per registration, as in real use.
        batch[i] = bus.subscribe(type, "l" + i, e -> delivered.incrementAndGet());
        opened++;
      }
      if ((round & 15) == 0) {
        bus.publish(new Tick(round));
        bus.publish(new Tock("r"));
        bus.publish(new Other(round));
      }
      for (int i = 0; i < size; i++) {
        int pick = (round & 1) == 0 ? i : size - 1 - i; // close forwards or backwards
        batch[pick].close();
        batch[pick] = null;
      }
      round++;
    }
  }

  private static long settledUsedHeap() {
    // The lowest of a few full collections: the first may still be finishing earlier work.
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      min = Math.min(min, usedHeapAfterGc());
    }
    return min;
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static String mib(long bytes) {
    return String.format("%.2f MiB", bytes / (1024.0 * 1024.0));
  }
}
