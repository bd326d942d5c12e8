package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.bus.Events.Other;
import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Guards against a listener leak growing without bound: each event type has a cap. */
class ListenerCapIsEnforcedTest {

  private static List<ListenerHandle> fill(EventBus bus, Class<?> type, int n) {
    List<ListenerHandle> handles = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      handles.add(bus.subscribe(type, "leak-" + i, e -> {}));
    }
    return handles;
  }

  @Test
  void theDefaultCapIsThirtyTwoPerType() {
    EventBus bus = EventBus.create("cap");
    List<ListenerHandle> handles = fill(bus, Tick.class, EventBus.DEFAULT_MAX_LISTENERS_PER_TYPE);
    assertEquals(32, EventBus.DEFAULT_MAX_LISTENERS_PER_TYPE);

    ListenerCapExceededException e =
        assertThrows(ListenerCapExceededException.class, () -> bus.subscribe(Tick.class, "one-too-many", ev -> {}));

    assertInstanceOf(IllegalStateException.class, e);
    assertSame(Tick.class, e.eventType());
    assertEquals(32, e.cap());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      names.add("leak-" + i);
    }
    assertEquals(names, e.existingListeners());
    String message = e.getMessage();
    assertTrue(message.contains(Tick.class.getName()), message);
    assertTrue(message.contains("32"), message);
    assertTrue(message.contains("one-too-many"), message);
    for (String name : names) {
      assertTrue(message.contains(name), () -> name + " missing from: " + message);
    }

    assertEquals(32, bus.listenerCount(Tick.class), "the refused listener was not added");
    bus.subscribe(Tock.class, "other-type", ev -> {});

    handles.get(7).close();
    bus.subscribe(Tick.class, "one-too-many", ev -> {});
    assertEquals(32, bus.listenerCount(Tick.class));
  }

  @Test
  void aTypeCanHaveItsOwnCap() {
    EventBus bus =
        EventBus.builder()
            .name("caps")
            .maxListenersPerType(5)
            .maxListeners(Tick.class, 2)
            .maxListeners(Other.class, 40)
            .build();
    fill(bus, Tick.class, 2);
    ListenerCapExceededException tick =
        assertThrows(ListenerCapExceededException.class, () -> bus.subscribe(Tick.class, "third", e -> {}));
    assertEquals(2, tick.cap());
    assertTrue(tick.getMessage().contains("leak-0") && tick.getMessage().contains("leak-1"), tick.getMessage());
    assertTrue(tick.getMessage().contains(" 2 "), tick.getMessage());

    fill(bus, Tock.class, 5);
    ListenerCapExceededException tock =
        assertThrows(ListenerCapExceededException.class, () -> bus.subscribe(Tock.class, "sixth", e -> {}));
    assertEquals(5, tock.cap());
    assertSame(Tock.class, tock.eventType());

    fill(bus, Other.class, 40); // a per-type cap may be above the default
    assertThrows(ListenerCapExceededException.class, () -> bus.subscribe(Other.class, "41st", e -> {}));
    assertEquals(2 + 5 + 40, bus.listenerCount());
  }

  @Test
  void capsBelowOneAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> EventBus.builder().maxListenersPerType(0));
    assertThrows(IllegalArgumentException.class, () -> EventBus.builder().maxListeners(Tick.class, -1));
    assertThrows(NullPointerException.class, () -> EventBus.builder().maxListeners(null, 3));
  }

  @Test
  void aCapOfOneAllowsExactlyOne() {
    EventBus bus = EventBus.builder().maxListenersPerType(1).build();
    ListenerHandle only = bus.subscribe(Tick.class, "only", e -> {});
    assertThrows(ListenerCapExceededException.class, () -> bus.subscribe(Tick.class, "second", e -> {}));
    only.close();
    bus.subscribe(Tick.class, "second", e -> {});
  }
}
