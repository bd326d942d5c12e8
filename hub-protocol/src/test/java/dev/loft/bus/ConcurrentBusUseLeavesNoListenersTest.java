package dev.loft.bus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loft.bus.Events.Other;
import dev.loft.bus.Events.Tick;
import dev.loft.bus.Events.Tock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guards against races that leave listeners (or empty type entries) behind, or throw, when many
 * threads subscribe, publish, close handles, remove by name and close the bus at the same time.
 */
class ConcurrentBusUseLeavesNoListenersTest {
  private static final int THREADS = 8;
  private static final Class<?>[] TYPES = {Tick.class, Tock.class, Other.class, String.class};
  /** Live handles one worker may hold: 8 workers x 3 stays under the default cap of 32 per type. */
  private static final int HELD_PER_WORKER = 3;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final LongAdder operations = new LongAdder();
  private final LongAdder subscribed = new LongAdder();
  private final LongAdder delivered = new LongAdder();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "worker threads did not stop");
  }

  @Test
  void mixedUseForASecondAndAHalfEndsWithNoListeners() throws Exception {
    EventBus bus = EventBus.builder().name("concurrent").errorHandler((n, e, t) -> {}).build();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<ListenerHandle>>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int worker = t;
      workers.add(pool.submit(() -> {
        start.await();
        return work(bus, worker, () -> System.nanoTime() < deadline);
      }));
    }
    start.countDown();
    List<ListenerHandle> leftovers = join(workers);

    for (ListenerHandle h : leftovers) {
      h.close();
    }
    assertEquals(0, bus.listenerCount(), () -> "leftover listeners: " + bus.snapshot());
    assertEquals(0, bus.typeCount(), () -> "leftover types: " + bus.snapshot());
    assertTrue(bus.snapshot().listenersByType().isEmpty());
    assertTrue(subscribed.sum() > 1_000, "the workers barely ran: " + subscribed.sum());
    assertTrue(delivered.sum() > 0);
  }

  @Test
  void closingTheBusWhileOthersUseItLeavesNothing() throws Exception {
    for (int round = 0; round < 5; round++) {
      EventBus bus = EventBus.builder().name("closing-" + round).errorHandler((n, e, t) -> {}).build();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<ListenerHandle>>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int worker = t;
        workers.add(pool.submit(() -> {
          start.await();
          return work(bus, worker, () -> !stop.get());
        }));
      }
      long before = operations.sum();
      start.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> operations.sum() - before > 20_000);

      bus.close();
      // Let the workers run on against the closed bus for a while, then stop them.
      long atClose = operations.sum();
      await().atMost(Duration.ofSeconds(10)).until(() -> operations.sum() - atClose > 5_000);
      stop.set(true);
      List<ListenerHandle> held = join(workers);

      assertTrue(bus.isClosed());
      assertEquals(0, bus.listenerCount(), () -> "listeners after close: " + bus.snapshot());
      assertEquals(0, bus.typeCount(), () -> "types after close: " + bus.snapshot());
      for (ListenerHandle h : held) {
        assertFalse(h.isActive(), () -> h + " survived close()");
      }
    }
  }

  /**
   * One worker's loop: subscribe under its own names, publish, close handles, remove by name,
   * take snapshots. Returns the handles it still holds. Any unexpected throwable fails the test.
   */
  private List<ListenerHandle> work(EventBus bus, int worker, java.util.function.BooleanSupplier running) {
    SplittableRandom rnd = new SplittableRandom(worker * 7919L + 17);
    ArrayDeque<ListenerHandle> held = new ArrayDeque<>();
    long counter = 0;
    while (running.getAsBoolean()) {
      operations.increment();
      int op = rnd.nextInt(10);
      if (op < 4) {
        if (held.size() >= HELD_PER_WORKER) {
          held.pollFirst().close();
        }
        Class<?> type = TYPES[rnd.nextInt(TYPES.length)];
        String name = "w" + worker + "-" + (counter++);
        try {
          held.addLast(bus.subscribe(type, name, e -> delivered.increment()));
          subscribed.increment();
        } catch (ListenerCapExceededException e) {
          fail("cap reached although at most " + THREADS * HELD_PER_WORKER + " listeners live: " + e.getMessage());
        } catch (IllegalStateException e) {
          if (!bus.isClosed()) {
            throw new AssertionError("subscribe refused on an open bus", e);
          }
        }
      } else if (op < 7) {
        Object event;
        switch (rnd.nextInt(4)) {
          case 0: event = new Tick(worker); break;
          case 1: event = new Tock("w" + worker); break;
          case 2: event = new Other(counter); break;
          default: event = "string event";
        }
        bus.publish(event);
      } else if (op == 7) {
        ListenerHandle h = held.pollLast();
        if (h != null) {
          h.close();
          if (h.isActive()) {
            throw new AssertionError(h + " still active after close()");
          }
        }
      } else if (op == 8) {
        ListenerHandle h = held.peekFirst();
        if (h != null) {
          if (rnd.nextBoolean()) {
            bus.unsubscribe(h.eventType(), h.name());
          } else {
            bus.unsubscribeAll(h.name());
          }
          // While close() is running it has taken the listener out of the bus but may not have
          // marked the handle yet: then removal by name finds nothing and the handle is briefly
          // still active. Once close() returns every handle is inactive (checked by the test).
          if (h.isActive() && !bus.isClosed()) {
            throw new AssertionError(h + " still active after removal by name");
          }
          held.pollFirst();
        }
      } else {
        BusSnapshot s = bus.snapshot();
        if (s.listenerCount() > THREADS * HELD_PER_WORKER + THREADS) {
          throw new AssertionError("more listeners than the workers ever hold: " + s);
        }
        bus.listenerCount();
        bus.typeCount();
      }
    }
    List<ListenerHandle> left = new ArrayList<>(held);
    if (!bus.isClosed()) {
      // Close half here, on the worker; the test closes the rest.
      for (int i = 0; i < left.size(); i += 2) {
        left.get(i).close();
      }
    }
    return left;
  }

  private static List<ListenerHandle> join(List<Future<List<ListenerHandle>>> workers) throws InterruptedException {
    List<ListenerHandle> all = new ArrayList<>();
    for (Future<List<ListenerHandle>> f : workers) {
      try {
        all.addAll(f.get(30, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        fail("a worker failed: " + e.getCause(), e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        fail("a worker did not finish");
      }
    }
    return all;
  }
}
