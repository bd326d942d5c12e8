package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.bus.Events.Other;
import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards against a handle (or a removal by name) taking away the wrong listener: another listener
 * of the same type, the same name on another type, or a newer listener that reused the name.
 */
class ListenerHandlesRemoveExactlyTheirListenerTest {
  private final EventBus bus = EventBus.create("handles");
  private final List<String> calls = new ArrayList<>();

  private <E> ListenerHandle record(Class<E> type, String name) {
    return subscribe(type, name, name);
  }

  private <E> ListenerHandle subscribe(Class<E> type, String name, String label) {
    return bus.subscribe(type, name, e -> calls.add(label));
  }

  @Test
  void closingAHandleRemovesOnlyItsListener() {
    ListenerHandle a = record(Tick.class, "a");
    ListenerHandle b = record(Tick.class, "b");
    ListenerHandle c = record(Tick.class, "c");

    b.close();

    assertFalse(b.isActive());
    assertTrue(a.isActive());
    assertTrue(c.isActive());
    assertEquals(2, bus.listenerCount(Tick.class));
    assertEquals(2, bus.publish(new Tick(1)));
    assertEquals(List.of("a", "c"), calls);
  }

  @Test
  void closingTwiceIsHarmless() {
    ListenerHandle a = record(Tick.class, "a");
    record(Tick.class, "b");
    a.close();
    a.close();
    assertEquals(1, bus.listenerCount(Tick.class));
  }

  @Test
  void aStaleHandleDoesNotRemoveANewerListenerWithTheSameName() {
    ListenerHandle first = subscribe(Tick.class, "x", "first");
    first.close();
    ListenerHandle second = subscribe(Tick.class, "x", "second");

    first.close();

    assertTrue(second.isActive());
    assertEquals(1, bus.publish(new Tick(1)));
    assertEquals(List.of("second"), calls);
  }

  @Test
  void aHandleWhoseListenerWasRemovedByNameDoesNotRemoveItsSuccessor() {
    ListenerHandle first = subscribe(Tick.class, "x", "first");
    assertTrue(bus.unsubscribe(Tick.class, "x"));
    assertFalse(first.isActive(), "removal by name deactivates the handle");
    ListenerHandle second = subscribe(Tick.class, "x", "second");

    first.close();

    assertTrue(second.isActive());
    assertEquals(1, bus.listenerCount(Tick.class));
    bus.publish(new Tick(1));
    assertEquals(List.of("second"), calls);
  }

  @Test
  void theSameNameOnAnotherTypeIsAnotherListener() {
    ListenerHandle tick = record(Tick.class, "x");
    ListenerHandle tock = record(Tock.class, "x");
    tick.close();
    assertTrue(tock.isActive());
    assertEquals(0, bus.publish(new Tick(1)));
    assertEquals(1, bus.publish(new Tock("t")));
  }

  @Test
  void unsubscribeByNameRemovesThatNameOnThatTypeOnly() {
    record(Tick.class, "a");
    record(Tick.class, "b");
    record(Tock.class, "a");

    assertTrue(bus.unsubscribe(Tick.class, "a"));
    assertFalse(bus.unsubscribe(Tick.class, "a"), "already gone");
    assertFalse(bus.unsubscribe(Tick.class, "nobody"));
    assertFalse(bus.unsubscribe(Other.class, "a"), "type without listeners");

    assertEquals(1, bus.listenerCount(Tick.class));
    assertEquals(1, bus.listenerCount(Tock.class));
    bus.publish(new Tick(1));
    bus.publish(new Tock("t"));
    assertEquals(List.of("b", "a"), calls);
  }

  @Test
  void unsubscribeAllRemovesTheNameFromEveryTypeAndNothingElse() {
    ListenerHandle h1 = record(Tick.class, "x");
    ListenerHandle h2 = record(Tock.class, "x");
    ListenerHandle h3 = record(Other.class, "x");
    ListenerHandle y = record(Tick.class, "y");

    assertEquals(3, bus.unsubscribeAll("x"));
    assertEquals(0, bus.unsubscribeAll("x"));

    assertFalse(h1.isActive());
    assertFalse(h2.isActive());
    assertFalse(h3.isActive());
    assertTrue(y.isActive());
    assertEquals(1, bus.listenerCount());
    assertEquals(1, bus.typeCount());
  }

  @Test
  void aHandleKnowsItsNameAndType() {
    ListenerHandle h = record(Tock.class, "named");
    assertEquals("named", h.name());
    assertSame(Tock.class, h.eventType());
    assertTrue(h.toString().contains("named"), h.toString());
    h.close();
    assertTrue(h.toString().contains("closed"), h.toString());
  }

  @Test
  void listenersRunInRegistrationOrder() {
    for (String n : List.of("3", "1", "2", "0")) {
      record(Tick.class, n);
    }
    bus.publish(new Tick(0));
    assertEquals(List.of("3", "1", "2", "0"), calls);
  }

  @Test
  void aHandleClosedDuringDispatchIsNotCalledAgainEvenByThatDispatch() {
    ListenerHandle[] later = new ListenerHandle[1];
    bus.subscribe(Tick.class, "closer", e -> {
      calls.add("closer");
      later[0].close();
    });
    later[0] = record(Tick.class, "later");

    assertEquals(1, bus.publish(new Tick(1)), "'later' was closed before its turn");
    assertEquals(1, bus.publish(new Tick(2)));
    assertEquals(List.of("closer", "closer"), calls);
  }

  @Test
  void aListenerMayCloseItsOwnHandle() {
    ListenerHandle[] self = new ListenerHandle[1];
    self[0] = bus.subscribe(Tick.class, "once", e -> {
      calls.add("once");
      self[0].close();
    });
    bus.publish(new Tick(1));
    bus.publish(new Tick(2));
    assertEquals(List.of("once"), calls);
    assertEquals(0, bus.typeCount());
  }
}
