package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Guards against two listeners silently sharing a name on one type (removal by name would be ambiguous). */
class DuplicateListenerNameIsRejectedTest {
  private final EventBus bus = EventBus.create("dupes");

  @Test
  void aSecondListenerWithTheSameNameOnTheSameTypeIsRefused() {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    ListenerHandle h = bus.subscribe(Tick.class, "x", e -> first.incrementAndGet());

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bus.subscribe(Tick.class, "x", ev -> second.incrementAndGet()));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    assertTrue(e.getMessage().contains(Tick.class.getName()), e.getMessage());

    assertTrue(h.isActive(), "the existing listener is untouched");
    assertEquals(1, bus.listenerCount(Tick.class));
    bus.publish(new Tick(1));
    assertEquals(1, first.get());
    assertEquals(0, second.get());
  }

  @Test
  void theNameIsFreeAgainOnceTheListenerIsGone() {
    bus.subscribe(Tick.class, "x", e -> {}).close();
    bus.subscribe(Tick.class, "x", e -> {});
    assertEquals(1, bus.listenerCount(Tick.class));
  }

  @Test
  void theSameNameOnAnotherTypeIsAllowed() {
    bus.subscribe(Tick.class, "x", e -> {});
    bus.subscribe(Tock.class, "x", e -> {});
    assertEquals(2, bus.listenerCount());
  }

  @Test
  void nullArgumentsAreRefused() {
    assertThrows(NullPointerException.class, () -> bus.subscribe(null, "x", e -> {}));
    assertThrows(NullPointerException.class, () -> bus.subscribe(Tick.class, null, e -> {}));
    assertThrows(NullPointerException.class, () -> bus.subscribe(Tick.class, "x", null));
    assertEquals(0, bus.typeCount());
  }
}
