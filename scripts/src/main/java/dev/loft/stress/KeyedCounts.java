package dev.loft.stress;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counts by name (how connections ended, error codes), from any thread; shown sorted by name. */
final class KeyedCounts {
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  void add(String key) {
    counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  boolean isEmpty() {
    return counts.isEmpty();
  }

  JsonObject json() {
    JsonObject o = new JsonObject();
    new TreeMap<>(counts).forEach((k, v) -> o.addProperty(k, v.get()));
    return o;
  }

  /** {@code {a: 1, b: 2}}, or {@code {}}. */
  @Override
  public String toString() {
    if (counts.isEmpty()) {
      return "{}";
    }
    StringBuilder sb = new StringBuilder("{");
    new TreeMap<>(counts).forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append(": ").append(v.get()));
    return sb.append('}').toString();
  }
}
