package dev.loft.server.stats;

import com.google.gson.JsonObject;

/**
 * One of the largest memory-budget accounts as of the last sweep: whose it is, how many bytes
 * it holds and the kind that holds most of them (handshake, inbound, retained, outbound).
 */
public record TopAccount(String peerId, long bytes, String largest) {
  JsonObject toJson() {
    JsonObject o = new JsonObject();
    if (peerId != null) {
      o.addProperty("peerId", peerId);
    }
    o.addProperty("bytes", bytes);
    o.addProperty("largest", largest);
    return o;
  }

  static TopAccount fromJson(JsonObject o) {
    return new TopAccount(
        o.has("peerId") ? o.get("peerId").getAsString() : null,
        o.get("bytes").getAsLong(),
        o.get("largest").getAsString());
  }
}
