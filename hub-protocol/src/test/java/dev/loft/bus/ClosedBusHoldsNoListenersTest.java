package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.bus.Events.Other;
import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Guards against a closed bus keeping (or accepting) listeners, and so keeping their owners alive. */
class ClosedBusHoldsNoListenersTest {

  @Test
  void closeEmptiesEverythingAndDeactivatesEveryHandle() {
    EventBus bus = EventBus.create("closing");
    AtomicInteger calls = new AtomicInteger();
    List<ListenerHandle> handles =
        List.of(
            bus.subscribe(Tick.class, "a", e -> calls.incrementAndGet()),
            bus.subscribe(Tick.class, "b", e -> calls.incrementAndGet()),
            bus.subscribe(Tock.class, "a", e -> calls.incrementAndGet()),
            bus.subscribe(Other.class, "c", e -> calls.incrementAndGet()));
    bus.publish(new Tick(0));
    assertEquals(2, calls.get());

    bus.close();

    assertTrue(bus.isClosed());
    assertEquals(0, bus.listenerCount());
    assertEquals(0, bus.typeCount());
    assertFalse(bus.hasListeners(Tick.class));
    for (ListenerHandle h : handles) {
      assertFalse(h.isActive(), h::toString);
    }
    BusSnapshot snapshot = bus.snapshot();
    assertTrue(snapshot.closed());
    assertEquals(0, snapshot.listenerCount());
    assertEquals(0, snapshot.typeCount());
    assertTrue(snapshot.listenersByType().isEmpty());

    assertEquals(0, bus.publish(new Tick(1)));
    assertEquals(2, calls.get(), "no listener runs after close");
  }

  @Test
  void aClosedBusRefusesNewListeners() {
    EventBus bus = EventBus.create("refusing");
    bus.close();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> bus.subscribe(Tick.class, "late", ev -> {}));
    assertFalse(e instanceof ListenerCapExceededException);
    assertTrue(e.getMessage().contains("refusing"), e.getMessage());
    assertEquals(0, bus.typeCount(), "the refused listener left no entry");
  }

  @Test
  void closeIsIdempotentAndHandlesMayStillBeClosed() {
    EventBus bus = EventBus.create("twice");
    ListenerHandle h = bus.subscribe(Tick.class, "a", e -> {});
    bus.close();
    bus.close();
    h.close();
    h.close();
    assertFalse(bus.unsubscribe(Tick.class, "a"));
    assertEquals(0, bus.unsubscribeAll("a"));
    assertTrue(bus.isClosed());
    assertEquals(0, bus.listenerCount());
  }

  @Test
  void tryWithResourcesClosesTheBus() {
    EventBus outside;
    ListenerHandle h;
    try (EventBus bus = EventBus.create("scoped")) {
      outside = bus;
      h = bus.subscribe(Tick.class, "a", e -> {});
    }
    assertTrue(outside.isClosed());
    assertFalse(h.isActive());
  }
}
