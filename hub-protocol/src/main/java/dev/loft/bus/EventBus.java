package dev.loft.bus;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small typed event bus: listeners are registered for one exact event class under a name, and
 * get a {@link ListenerHandle} that removes them.
 *
 * <ul>
 *   <li>Dispatch is by the event's exact class (no supertypes): one map lookup per publish, and
 *       nothing allocated when no one listens.
 *   <li>Each event type has a listener cap (bus default, overridable per type); going past it
 *       throws {@link ListenerCapExceededException} naming the listeners already there.
 *   <li>A listener that throws is isolated: the error goes to the {@link ListenerErrorHandler} and
 *       is counted, the other listeners still run, and the publisher sees nothing.
 *   <li>{@link #close()} removes every listener and refuses new ones. Types whose last listener
 *       goes are removed from the map, so churn leaves nothing behind.
 * </ul>
 *
 * <p>Listeners run on the publisher's thread, in registration order. Once a handle's {@code close()}
 * returns, its listener is never called again, not even by a publish already under way. Thread-safe.
 */
public final class EventBus implements AutoCloseable {
  /** Listener cap per event type unless configured otherwise. */
  public static final int DEFAULT_MAX_LISTENERS_PER_TYPE = 32;

  private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

  private final String name;
  private final int defaultCap;
  private final Map<Class<?>, Integer> capsByType;
  private final ListenerErrorHandler errorHandler;

  /** Per type, an immutable array replaced on every change (copy-on-write: reads take no lock). */
  private final ConcurrentHashMap<Class<?>, Registration<?>[]> listeners = new ConcurrentHashMap<>();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder published = new LongAdder();
  private final LongAdder listenerErrors = new LongAdder();

  private EventBus(Builder builder) {
    this.name = builder.name;
    this.defaultCap = builder.defaultCap;
    this.capsByType = Map.copyOf(builder.capsByType);
    this.errorHandler = builder.errorHandler;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A bus with default caps that logs listener errors. */
  public static EventBus create(String name) {
    return builder().name(name).build();
  }

  public String name() {
    return name;
  }

  /**
   * Registers {@code listener} for events of exactly {@code type}.
   *
   * @throws IllegalArgumentException if {@code name} is already used for {@code type}
   * @throws ListenerCapExceededException if {@code type} is at its cap
   * @throws IllegalStateException if the bus is closed
   */
  public <E> ListenerHandle subscribe(Class<E> type, String name, Consumer<? super E> listener) {
    checkNotNull(type, "type");
    checkNotNull(name, "name");
    checkNotNull(listener, "listener");
    ensureOpen();
    Registration<E> registration = new Registration<>(this, type, name, listener);
    int cap = capFor(type);
    listeners.compute(
        type,
        (t, current) -> {
          Registration<?>[] existing = current == null ? EMPTY : current;
          for (Registration<?> r : existing) {
            checkArgument(!r.name.equals(name),
                "a listener named '%s' is already registered for %s", name, type.getName());
          }
          if (existing.length >= cap) {
            throw new ListenerCapExceededException(type, cap, namesOf(existing), name);
          }
          Registration<?>[] next = Arrays.copyOf(existing, existing.length + 1);
          next[existing.length] = registration;
          return next;
        });
    if (closed.get()) {
      // close() ran while we were adding: undo, so a closed bus holds nothing.
      remove(registration);
      throw new IllegalStateException("event bus '" + this.name + "' is closed");
    }
    return registration;
  }

  /** Removes the listener registered under {@code name} for {@code type}; false if none. */
  public boolean unsubscribe(Class<?> type, String name) {
    Registration<?>[] current = listeners.get(type);
    if (current == null) {
      return false;
    }
    for (Registration<?> r : current) {
      if (r.name.equals(name)) {
        return remove(r);
      }
    }
    return false;
  }

  /** Removes every listener registered under {@code name}, whatever its type; returns how many. */
  public int unsubscribeAll(String name) {
    int removed = 0;
    for (Registration<?>[] regs : listeners.values()) {
      for (Registration<?> r : regs) {
        if (r.name.equals(name) && remove(r)) {
          removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Delivers {@code event} to the listeners of its exact class, on this thread. Returns the number
   * of listeners that ran (including ones that threw; not ones closed before their turn).
   */
  @SuppressWarnings("unchecked")
  public int publish(Object event) {
    Registration<?>[] regs = listeners.get(event.getClass());
    if (regs == null) {
      return 0;
    }
    published.increment();
    int ran = 0;
    for (Registration<?> r : regs) {
      if (((Registration<Object>) r).deliver(event)) {
        ran++;
      }
    }
    return ran;
  }

  /** True when at least one listener is registered for exactly {@code type}. */
  public boolean hasListeners(Class<?> type) {
    return listeners.containsKey(type);
  }

  public int listenerCount(Class<?> type) {
    Registration<?>[] regs = listeners.get(type);
    return regs == null ? 0 : regs.length;
  }

  public int listenerCount() {
    int n = 0;
    for (Registration<?>[] regs : listeners.values()) {
      n += regs.length;
    }
    return n;
  }

  /** Number of event types that currently have listeners (0 after every handle is closed). */
  public int typeCount() {
    return listeners.size();
  }

  public long listenerErrors() {
    return listenerErrors.sum();
  }

  public BusSnapshot snapshot() {
    Map<String, List<String>> byType = new TreeMap<>();
    int count = 0;
    for (Map.Entry<Class<?>, Registration<?>[]> e : listeners.entrySet()) {
      List<String> names = namesOf(e.getValue());
      Collections.sort(names);
      byType.put(e.getKey().getSimpleName(), List.copyOf(names));
      count += names.size();
    }
    return new BusSnapshot(
        Collections.unmodifiableMap(byType), count, published.sum(), listenerErrors.sum(), closed.get());
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Removes every listener and refuses new ones. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Class<?> type : List.copyOf(listeners.keySet())) {
      Registration<?>[] regs = listeners.remove(type);
      if (regs != null) {
        for (Registration<?> r : regs) {
          r.release();
        }
      }
    }
  }

  // --------------------------------------------------------------------------------- internals

  private static final Registration<?>[] EMPTY = new Registration<?>[0];

  private int capFor(Class<?> type) {
    Integer cap = capsByType.get(type);
    return cap == null ? defaultCap : cap;
  }

  private void ensureOpen() {
    checkState(!closed.get(), "event bus '%s' is closed", name);
  }

  /** Removes exactly {@code target} (by identity); drops the type's entry when it was the last. */
  private boolean remove(Registration<?> target) {
    boolean[] removed = {false};
    listeners.computeIfPresent(
        target.type,
        (t, current) -> {
          int index = -1;
          for (int i = 0; i < current.length; i++) {
            if (current[i] == target) {
              index = i;
              break;
            }
          }
          if (index < 0) {
            return current;
          }
          removed[0] = true;
          if (current.length == 1) {
            return null;
          }
          Registration<?>[] next = new Registration<?>[current.length - 1];
          System.arraycopy(current, 0, next, 0, index);
          System.arraycopy(current, index + 1, next, index, current.length - index - 1);
          return next;
        });
    target.release();
    return removed[0];
  }

  private static List<String> namesOf(Registration<?>[] regs) {
    List<String> names = new ArrayList<>(regs.length);
    for (Registration<?> r : regs) {
      names.add(r.name);
    }
    return names;
  }

  private void onListenerError(Registration<?> r, Object event, Throwable error) {
    listenerErrors.increment();
    try {
      errorHandler.onListenerError(r.name, event, error);
    } catch (RuntimeException handlerFailure) {
      LOG.error("error handler of bus '{}' failed", name, handlerFailure);
    }
  }

  private static final class Registration<E> implements ListenerHandle {
    private final EventBus bus;
    private final Class<E> type;
    private final String name;
    /** Nulled on removal: a handle kept after close must not keep its listener (and what it captures) alive. */
    private volatile Consumer<? super E> listener;
    private volatile boolean active = true;

    Registration(EventBus bus, Class<E> type, String name, Consumer<? super E> listener) {
      this.bus = bus;
      this.type = type;
      this.name = name;
      this.listener = listener;
    }

    /** Runs the listener; false if it was removed, even by an earlier listener of this publish. */
    boolean deliver(E event) {
      Consumer<? super E> l = listener;
      if (l == null) {
        return false; // closed handles are never called again, even by a publish already under way
      }
      try {
        l.accept(event);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError vme && !(e instanceof StackOverflowError)) {
          throw vme; // OutOfMemoryError and the like belong to the thread's uncaught handler
        }
        bus.onListenerError(this, event, e);
      }
      return true;
    }

    void release() {
      active = false;
      listener = null;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<?> eventType() {
      return type;
    }

    @Override
    public boolean isActive() {
      return active;
    }

    @Override
    public void close() {
      if (active) {
        bus.remove(this);
      }
    }

    @Override
    public String toString() {
      return "ListenerHandle[" + type.getSimpleName() + "/" + name + (active ? "" : ", closed") + "]";
    }
  }

  /** Configuration for an {@link EventBus}; sealed once {@link #build()} is called. */
  public static final class Builder {
    private String name = "bus";
    private int defaultCap = DEFAULT_MAX_LISTENERS_PER_TYPE;
    private final Map<Class<?>, Integer> capsByType = new HashMap<>();
    private ListenerErrorHandler errorHandler =
        (listener, event, error) ->
            LOG.warn("listener '{}' failed on {}", listener, event.getClass().getSimpleName(), error);

    private Builder() {}

    public Builder name(String name) {
      this.name = checkNotNull(name, "name");
      return this;
    }

    /** Listener cap for every type without its own cap. */
    public Builder maxListenersPerType(int cap) {
      this.defaultCap = positive(cap);
      return this;
    }

    /** Listener cap for one event type. */
    public Builder maxListeners(Class<?> type, int cap) {
      capsByType.put(checkNotNull(type, "type"), positive(cap));
      return this;
    }

    public Builder errorHandler(ListenerErrorHandler handler) {
      this.errorHandler = checkNotNull(handler, "handler");
      return this;
    }

    public EventBus build() {
      return new EventBus(this);
    }

    private static int positive(int cap) {
      checkArgument(cap >= 1, "a listener cap must be at least 1, got %s", cap);
      return cap;
    }
  }
}
