package dev.loft.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loft.bus.Events.Tick;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards against one faulty listener breaking the others or the publisher: what it throws goes to
 * the error handler and is counted.
 */
class ThrowingListenerIsIsolatedTest {
  private final List<String> ran = new ArrayList<>();
  private final List<Object[]> reported = new ArrayList<>();
  private final EventBus bus =
      EventBus.builder()
          .name("isolation")
          .errorHandler((name, event, error) -> reported.add(new Object[] {name, event, error}))
          .build();

  @Test
  void theOthersStillRunAndThePublisherSeesNothing() {
    RuntimeException boom = new IllegalStateException("boom");
    bus.subscribe(Tick.class, "before", e -> ran.add("before"));
    bus.subscribe(Tick.class, "faulty", e -> {
      ran.add("faulty");
      throw boom;
    });
    bus.subscribe(Tick.class, "after", e -> ran.add("after"));

    Tick event = new Tick(7);
    assertEquals(3, bus.publish(event), "a listener that threw still counts as run");

    assertEquals(List.of("before", "faulty", "after"), ran);
    assertEquals(1, reported.size());
    assertEquals("faulty", reported.get(0)[0]);
    assertSame(event, reported.get(0)[1]);
    assertSame(boom, reported.get(0)[2]);
    assertEquals(1, bus.listenerErrors());
    assertEquals(1, bus.snapshot().listenerErrors());
    assertEquals(1, bus.snapshot().published());

    bus.publish(new Tick(8));
    assertEquals(2, bus.listenerErrors(), "every failure is counted");
    assertEquals(3, bus.listenerCount(Tick.class), "a throwing listener is not removed");
  }

  @Test
  void errorsAndStackOverflowsAreIsolatedToo() {
    bus.subscribe(Tick.class, "assertion", e -> {
      throw new AssertionError("bad");
    });
    bus.subscribe(Tick.class, "recursion", e -> {
      throw new StackOverflowError();
    });
    bus.subscribe(Tick.class, "survivor", e -> ran.add("survivor"));

    bus.publish(new Tick(1));

    assertEquals(List.of("survivor"), ran);
    assertEquals(2, bus.listenerErrors());
    assertEquals(AssertionError.class, reported.get(0)[2].getClass());
    assertEquals(StackOverflowError.class, reported.get(1)[2].getClass());
  }

  @Test
  void aFailingErrorHandlerIsIsolatedAsWell() {
    EventBus fragile =
        EventBus.builder()
            .errorHandler((name, event, error) -> {
              throw new IllegalStateException("handler broke");
            })
            .build();
    fragile.subscribe(Tick.class, "faulty", e -> {
      throw new IllegalArgumentException("listener broke");
    });
    fragile.subscribe(Tick.class, "after", e -> ran.add("after"));

    assertEquals(2, fragile.publish(new Tick(1)));
    assertEquals(List.of("after"), ran);
    assertEquals(1, fragile.listenerErrors());
  }

  @Test
  void theDefaultHandlerLogsAndCounts() {
    EventBus plain = EventBus.create("default-handler");
    plain.subscribe(Tick.class, "faulty", e -> {
      throw new IllegalStateException("expected by ThrowingListenerIsIsolatedTest: logged, not thrown");
    });
    plain.subscribe(Tick.class, "after", e -> ran.add("after"));
    plain.publish(new Tick(1));
    assertEquals(List.of("after"), ran);
    assertEquals(1, plain.listenerErrors());
  }

  @Test
  void outOfMemoryIsNotSwallowed() {
    // Documented exception: VirtualMachineErrors other than StackOverflowError reach the thread.
    bus.subscribe(Tick.class, "oom", e -> {
      throw new OutOfMemoryError("simulated");
    });
    assertThrows(OutOfMemoryError.class, () -> bus.publish(new Tick(1)));
    assertEquals(0, bus.listenerErrors());
  }
}
