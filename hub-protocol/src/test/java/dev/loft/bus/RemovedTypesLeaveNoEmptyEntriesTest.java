package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.bus.Events.Other;
import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import org.junit.jupiter.api.Test;

/** Guards against per-type entries that outlive their last listener (a slow leak under churn). */
class RemovedTypesLeaveNoEmptyEntriesTest {
  private final EventBus bus = EventBus.create("entries");

  @Test
  void everyWayOfRemovingTheLastListenerDropsTheType() {
    ListenerHandle tick = bus.subscribe(Tick.class, "h", e -> {});
    bus.subscribe(Tock.class, "n", e -> {});
    bus.subscribe(Other.class, "all", e -> {});
    bus.subscribe(Tick.class, "all", e -> {});
    assertEquals(3, bus.typeCount());

    tick.close();
    assertTrue(bus.hasListeners(Tick.class), "Tick still has 'all'");
    assertTrue(bus.unsubscribe(Tock.class, "n"));
    assertFalse(bus.hasListeners(Tock.class));
    assertEquals(2, bus.unsubscribeAll("all"));

    assertEquals(0, bus.typeCount());
    assertEquals(0, bus.listenerCount());
    for (Class<?> type : new Class<?>[] {Tick.class, Tock.class, Other.class}) {
      assertFalse(bus.hasListeners(type), type::getSimpleName);
      assertEquals(0, bus.listenerCount(type));
    }
    assertTrue(bus.snapshot().listenersByType().isEmpty());
  }

  @Test
  void aTypeComesBackWhenAListenerReturns() {
    bus.subscribe(Tick.class, "a", e -> {}).close();
    assertEquals(0, bus.typeCount());
    bus.subscribe(Tick.class, "a", e -> {});
    assertEquals(1, bus.typeCount());
    assertEquals(1, bus.listenerCount(Tick.class));
  }
}
