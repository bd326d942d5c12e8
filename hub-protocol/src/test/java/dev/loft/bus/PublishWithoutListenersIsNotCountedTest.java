package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loft.bus.Events.Base;
import dev.loft.bus.Events.Derived;
import dev.loft.bus.Events.Tick;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Guards against publishes that reach no one inflating the counter, and against events reaching
 * listeners of another (even a super-) type.
 */
class PublishWithoutListenersIsNotCountedTest {
  private final EventBus bus = EventBus.create("publish");

  @Test
  void publishingWithNoListenersReturnsZeroAndIsNotCounted() {
    assertEquals(0, bus.publish(new Tick(1)));
    assertEquals(0, bus.snapshot().published());

    ListenerHandle h = bus.subscribe(Tick.class, "a", e -> {});
    assertEquals(1, bus.publish(new Tick(2)));
    assertEquals(1, bus.snapshot().published());

    h.close();
    assertEquals(0, bus.publish(new Tick(3)));
    assertEquals(1, bus.snapshot().published());
  }

  @Test
  void dispatchIsByExactClass() {
    AtomicInteger base = new AtomicInteger();
    AtomicInteger derived = new AtomicInteger();
    bus.subscribe(Base.class, "base", e -> base.incrementAndGet());
    assertEquals(0, bus.publish(new Derived()), "no supertype dispatch");
    assertEquals(0, bus.snapshot().published());
    bus.subscribe(Derived.class, "derived", e -> derived.incrementAndGet());
    assertEquals(1, bus.publish(new Derived()));
    assertEquals(1, bus.publish(new Base()));
    assertEquals(1, base.get());
    assertEquals(1, derived.get());
  }

  @Test
  void aNullEventIsRefused() {
    assertThrows(NullPointerException.class, () -> bus.publish(null));
  }
}
