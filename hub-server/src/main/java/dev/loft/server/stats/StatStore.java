package dev.loft.server.stats;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where a hub's statistics get their values: a {@link LongAdder} for every counter, incremented
 * where the event happens (any thread), and a bound source for every gauge (and for the few
 * counters another component already keeps, such as the bus's listener errors). One per hub.
 *
 * <p>Sources are bound while the hub is assembled, before it starts; {@link #checkComplete()}
 * then proves every declared statistic has a value, so a gauge declared and never bound fails the
 * hub's start, not a scrape in production.
 */
public final class StatStore {
  private final LongAdder[] adders = new LongAdder[Stat.count()];
  private final KeyedAdders[] keyed = new KeyedAdders[Stat.count()];
  // Written while the hub is assembled (one thread), read by snapshots after start: published by
  // the hub's start (a synchronized method) before any scrape can run.
  private final Supplier<?>[] sources = new Supplier<?>[Stat.count()];

  public StatStore() {
    for (Stat s : Stat.all()) {
      if (s.kind() == Stat.Kind.COUNTER) {
        adders[s.index()] = new LongAdder();
      } else if (s.kind() == Stat.Kind.KEYED_COUNTER) {
        keyed[s.index()] = new KeyedAdders();
      }
    }
  }

  /** Counts one {@code stat}. */
  public void increment(Stat stat) {
    adder(stat).increment();
  }

  public void add(Stat stat, long n) {
    adder(stat).add(n);
  }

  /** Counts one {@code stat} under {@code key} (a name written in code, never by a peer). */
  public void increment(Stat stat, String key) {
    KeyedAdders k = keyed[stat.index()];
    checkArgument(k != null && sources[stat.index()] == null, "%s is not a keyed counter the store keeps", stat);
    k.increment(key);
  }

  /** The current value of a counter the store keeps (for the component that counts it). */
  public long sum(Stat stat) {
    return adder(stat).sum();
  }

  /**
   * The counter's adder, for a hot path that would rather not look it up per event. The adder
   * stays the statistic's one store of truth.
   */
  public LongAdder adder(Stat stat) {
    LongAdder a = adders[stat.index()];
    checkArgument(a != null && sources[stat.index()] == null, "%s is not a counter the store keeps", stat);
    return a;
  }

  /** Binds a counter or gauge to where its value lives. */
  public StatStore bind(Stat stat, LongSupplier value) {
    checkArgument(stat.kind() == Stat.Kind.COUNTER || stat.kind() == Stat.Kind.GAUGE, "%s is not a number", stat);
    return bindSource(stat, value::getAsLong);
  }

  public StatStore bindFlag(Stat stat, BooleanSupplier value) {
    checkArgument(stat.kind() == Stat.Kind.FLAG, "%s is not a flag", stat);
    return bindSource(stat, value::getAsBoolean);
  }

  public StatStore bindKeyed(Stat stat, Supplier<? extends Map<String, Long>> value) {
    checkArgument(stat.isKeyed(), "%s is not keyed", stat);
    return bindSource(stat, value);
  }

  public StatStore bindDetail(Stat stat, Supplier<?> value) {
    checkArgument(stat.kind() == Stat.Kind.DETAIL, "%s is not a detail", stat);
    return bindSource(stat, value);
  }

  private StatStore bindSource(Stat stat, Supplier<?> value) {
    checkNotNull(value, "source of %s", stat);
    checkState(sources[stat.index()] == null, "%s is bound twice", stat);
    sources[stat.index()] = value;
    return this;
  }

  /** Throws unless every declared statistic is counted here or bound to a source. */
  public void checkComplete() {
    for (Stat s : Stat.all()) {
      boolean counted = adders[s.index()] != null || keyed[s.index()] != null;
      checkState(counted || sources[s.index()] != null, "statistic %s is declared but has no source", s);
    }
  }

  /** One consistent-enough reading of every statistic. */
  public HubStats snapshot() {
    Object[] values = new Object[Stat.count()];
    for (Stat s : Stat.all()) {
      int i = s.index();
      if (sources[i] != null) {
        values[i] = sources[i].get();
      } else if (adders[i] != null) {
        values[i] = adders[i].sum();
      } else if (keyed[i] != null) {
        values[i] = keyed[i].snapshot();
      }
    }
    return new HubStats(values);
  }

  /** Counters keyed by a name from a small fixed set. */
  private static final class KeyedAdders {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    void increment(String key) {
      counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> out = new TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }
}
