package dev.loft.server.stats;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One consistent-enough reading of every {@link Stat}: read-only, served as JSON by {@code GET
 * /stats} ({@link #toJson()}) and read back from another hub's JSON ({@link #fromJson}).
 * Counters only ever grow; gauges are current values.
 */
public final class HubStats {
  private final Object[] values;

  HubStats(Object[] values) {
    this.values = values;
  }

  /** A counter or gauge; 0 when a hub read with {@link #fromJson} did not report it. */
  public long get(Stat stat) {
    checkArgument(stat.kind() == Stat.Kind.COUNTER || stat.kind() == Stat.Kind.GAUGE, "%s is not a number", stat);
    Object v = values[stat.index()];
    return v == null ? 0 : ((Number) v).longValue();
  }

  public boolean flag(Stat stat) {
    checkArgument(stat.kind() == Stat.Kind.FLAG, "%s is not a flag", stat);
    return Boolean.TRUE.equals(values[stat.index()]);
  }

  /** A keyed statistic (counters sorted by key); empty when nothing was counted. */
  @SuppressWarnings("unchecked")
  public Map<String, Long> keyed(Stat stat) {
    checkArgument(stat.isKeyed(), "%s is not keyed", stat);
    Object v = values[stat.index()];
    return v == null ? Map.of() : Collections.unmodifiableMap((Map<String, Long>) v);
  }

  /** One key of a keyed statistic, 0 when absent. */
  public long get(Stat stat, String key) {
    return keyed(stat).getOrDefault(key, 0L);
  }

  /** The largest memory-budget accounts as of the last sweep. */
  @SuppressWarnings("unchecked")
  public List<TopAccount> topAccounts() {
    Object v = values[Stat.BUDGET_TOP_ACCOUNTS.index()];
    return v == null ? List.of() : (List<TopAccount>) v;
  }

  /** Whether this reading has a value for {@code stat} (one read from an older hub may not). */
  public boolean has(Stat stat) {
    return values[stat.index()] != null;
  }

  /** The {@code /stats} document: statistics in declaration order, grouped ones nested. */
  public JsonObject toJson() {
    JsonObject root = new JsonObject();
    for (Stat s : Stat.all()) {
      Object v = values[s.index()];
      if (v == null) {
        continue;
      }
      JsonObject parent = root;
      if (s.group() != null) {
        if (!root.has(s.group())) {
          root.add(s.group(), new JsonObject());
        }
        parent = root.getAsJsonObject(s.group());
      }
      parent.add(s.key(), toJson(s, v));
    }
    return root;
  }

  private static JsonElement toJson(Stat s, Object v) {
    switch (s.kind()) {
      case FLAG:
        return new JsonPrimitive((Boolean) v);
      case KEYED_COUNTER:
      case KEYED_GAUGE: {
        JsonObject o = new JsonObject();
        ((Map<?, ?>) v).forEach((k, n) -> o.addProperty((String) k, (Number) n));
        return o;
      }
      case DETAIL: {
        JsonArray a = new JsonArray();
        for (Object item : (List<?>) v) {
          a.add(((TopAccount) item).toJson());
        }
        return a;
      }
      default:
        return new JsonPrimitive((Number) v);
    }
  }

  /** Reads a hub's {@code /stats} document; what it does not report reads as absent. */
  public static HubStats fromJson(JsonObject root) {
    Object[] values = new Object[Stat.count()];
    for (Stat s : Stat.all()) {
      JsonObject parent = root;
      if (s.group() != null) {
        JsonElement g = root.get(s.group());
        if (g == null || !g.isJsonObject()) {
          continue;
        }
        parent = g.getAsJsonObject();
      }
      JsonElement e = parent.get(s.key());
      if (e == null || e.isJsonNull()) {
        continue;
      }
      values[s.index()] = fromJson(s, e);
    }
    return new HubStats(values);
  }

  private static Object fromJson(Stat s, JsonElement e) {
    switch (s.kind()) {
      case FLAG:
        return e.getAsBoolean();
      case KEYED_COUNTER:
      case KEYED_GAUGE: {
        Map<String, Long> m = new TreeMap<>();
        e.getAsJsonObject().entrySet().forEach(en -> m.put(en.getKey(), en.getValue().getAsLong()));
        return m;
      }
      case DETAIL: {
        List<TopAccount> out = new ArrayList<>();
        e.getAsJsonArray().forEach(item -> out.add(TopAccount.fromJson(item.getAsJsonObject())));
        return out;
      }
      default:
        return e.getAsLong();
    }
  }

  @Override
  public String toString() {
    return toJson().toString();
  }
}
