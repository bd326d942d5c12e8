package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Guards against diagnostics that misreport listeners, counts or state. */
class SnapshotReportsWhatTheBusHoldsTest {

  @Test
  void namesPerTypeSortedWithCountsAndCounters() {
    EventBus bus = EventBus.builder().name("snap").errorHandler((n, e, t) -> {}).build();
    bus.subscribe(Tick.class, "zeta", e -> {});
    bus.subscribe(Tick.class, "alpha", e -> {
      throw new IllegalStateException("counted");
    });
    bus.subscribe(Tock.class, "mid", e -> {});
    bus.publish(new Tick(1));
    bus.publish(new Tick(2));
    bus.publish(new Tock("x"));
    bus.publish("nobody listens to strings");

    BusSnapshot s = bus.snapshot();

    assertEquals(Map.of("Tick", List.of("alpha", "zeta"), "Tock", List.of("mid")), s.listenersByType());
    assertEquals(List.of("Tick", "Tock"), List.copyOf(s.listenersByType().keySet()), "types sorted");
    assertEquals(3, s.listenerCount());
    assertEquals(2, s.typeCount());
    assertEquals(3, s.published(), "publishes that reached no one are not counted");
    assertEquals(2, s.listenerErrors());
    assertFalse(s.closed());
    assertEquals("snap", bus.name());
  }

  @Test
  void aSnapshotIsAnImmutableCopy() {
    EventBus bus = EventBus.create("copy");
    bus.subscribe(Tick.class, "a", e -> {});
    BusSnapshot s = bus.snapshot();
    bus.subscribe(Tick.class, "b", e -> {});
    bus.subscribe(Tock.class, "c", e -> {});

    assertEquals(Map.of("Tick", List.of("a")), s.listenersByType());
    assertEquals(1, s.listenerCount());
    assertThrows(UnsupportedOperationException.class, () -> s.listenersByType().put("X", List.of()));
    assertThrows(UnsupportedOperationException.class, () -> s.listenersByType().get("Tick").add("z"));
  }
}
