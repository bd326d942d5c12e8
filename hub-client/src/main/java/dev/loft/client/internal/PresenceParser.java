package dev.loft.client.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loft.client.Presence;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a presence {@code ack}'s data, {@code {peers:[…], count, truncated}}. Lenient: peers may be
 * ids or objects with a {@code peerId}; a missing count is the number of peers listed.
 */
final class PresenceParser {
  private PresenceParser() {}

  static Presence parse(JsonElement data) {
    List<String> peers = new ArrayList<>();
    int count = -1;
    boolean truncated = false;
    if (data != null && data.isJsonObject()) {
      JsonObject o = data.getAsJsonObject();
      JsonElement list = o.get("peers");
      if (list != null && list.isJsonArray()) {
        for (JsonElement p : list.getAsJsonArray()) {
          String id = peerIdOf(p);
          if (id != null) {
            peers.add(id);
          }
        }
      }
      count = intOr(o.get("count"), -1);
      JsonElement t = o.get("truncated");
      truncated = t != null && t.isJsonPrimitive() && t.getAsJsonPrimitive().isBoolean() && t.getAsBoolean();
    }
    return new Presence(peers, count < 0 ? peers.size() : count, truncated);
  }

  private static String peerIdOf(JsonElement p) {
    if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()) {
      return p.getAsString();
    }
    if (p.isJsonObject()) {
      JsonElement id = p.getAsJsonObject().get("peerId");
      return id != null && id.isJsonPrimitive() ? id.getAsString() : null;
    }
    return null;
  }

  private static int intOr(JsonElement e, int fallback) {
    try {
      return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsInt() : fallback;
    } catch (NumberFormatException ex) {
      return fallback;
    }
  }
}
