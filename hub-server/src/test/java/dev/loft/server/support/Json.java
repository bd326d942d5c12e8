package dev.loft.server.support;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/** Terse JSON building for tests: {@code Json.obj("type", "subscribe", "topic", "t")}. */
public final class Json {
  private Json() {}

  public static JsonObject obj(Object... keysAndValues) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      Object v = keysAndValues[i + 1];
      String k = (String) keysAndValues[i];
      if (v instanceof JsonElement e) {
        o.add(k, e);
      } else if (v instanceof Number n) {
        o.add(k, new JsonPrimitive(n));
      } else if (v instanceof Boolean b) {
        o.add(k, new JsonPrimitive(b));
      } else if (v != null) {
        o.addProperty(k, v.toString());
      }
    }
    return o;
  }
}
