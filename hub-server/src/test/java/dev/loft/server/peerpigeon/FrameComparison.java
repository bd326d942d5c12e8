package dev.loft.server.peerpigeon;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the frames PeerPigeon's hub and Loft sent to each peer of the same scenario, by frame
 * type and field-name shape (values differ run to run and are normalised by the driver), after
 * setting aside the documented, deliberate differences in {@link #DOCUMENTED_DIFFERENCES}. Anything
 * else is reported as a readable per-peer diff.
 */
final class FrameComparison {
  private FrameComparison() {}

  /** Every difference the comparison tolerates, as written in docs/protocol.md. */
  static final List<String> DOCUMENTED_DIFFERENCES = List.of(
      "peer-disconnected is sent to the leaving peer's network only: PeerPigeon's extra hub-wide copy"
          + " (the one without networkName, sent to every connection) is not expected from Loft",
      "peer-disconnected is encoded once for the whole network, so it carries no per-receiver targetPeerId",
      "an undeliverable offer/answer/ice-candidate (unknown target, other network) gets an `error` frame"
          + " with code PEER_NOT_FOUND where PeerPigeon's hub answers nothing",
      "malformed JSON gets an `error` frame with code BAD_JSON where PeerPigeon's hub answers nothing",
      "`error` frames carry a machine-readable `code` next to PeerPigeon's human-readable `error` text");

  private static final Set<String> UNDELIVERABLE_STEPS = Set.of("probe-unknown-target", "probe-other-network");

  /** One received frame, reduced to what is compared. */
  record Line(String step, String text) {
    @Override
    public String toString() {
      return String.format("%-22s %s", step, text);
    }
  }

  enum Hub { PEERPIGEON, LOFT }

  /** The frames {@code peer} received in a run, with documented differences set aside. */
  static List<Line> comparable(JsonObject result, String peer, Hub hub) {
    List<Line> lines = new ArrayList<>();
    for (JsonElement e : frames(result, peer)) {
      JsonObject entry = e.getAsJsonObject();
      String step = entry.get("step").getAsString();
      String type = entry.get("type").getAsString();
      JsonElement frame = entry.get("frame");
      if (!frame.isJsonObject()) {
        lines.add(new Line(step, type + " " + frame));
        continue;
      }
      JsonObject f = frame.getAsJsonObject().deepCopy();
      if (type.equals("peer-disconnected")) {
        if (hub == Hub.PEERPIGEON && !f.has("networkName")) {
          continue; // PeerPigeon's hub-wide copy
        }
        f.remove("targetPeerId");
      }
      if (type.equals("error") && hub == Hub.LOFT) {
        String code = f.has("code") ? f.get("code").getAsString() : "";
        if (UNDELIVERABLE_STEPS.contains(step) && code.equals("PEER_NOT_FOUND")) {
          continue;
        }
        if (step.equals("probe-bad-json") && code.equals("BAD_JSON")) {
          continue;
        }
        f.remove("code");
      }
      lines.add(new Line(step, type + " " + shape(f)));
    }
    return lines;
  }

  static JsonArray frames(JsonObject result, String peer) {
    JsonObject byPeer = result.getAsJsonObject("framesReceivedByPeer");
    return byPeer != null && byPeer.has(peer) ? byPeer.getAsJsonArray(peer) : new JsonArray();
  }

  /** Sorted field paths, e.g. {@code {data{isHub,peerId},fromPeerId,networkName,timestamp,type}}. */
  static String shape(JsonElement e) {
    if (e.isJsonObject()) {
      Set<String> keys = new TreeSet<>(e.getAsJsonObject().keySet());
      StringBuilder sb = new StringBuilder("{");
      for (String k : keys) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        JsonElement v = e.getAsJsonObject().get(k);
        sb.append(k).append(v.isJsonObject() || v.isJsonArray() ? shape(v) : "");
      }
      return sb.append('}').toString();
    }
    if (e.isJsonArray()) {
      Set<String> inner = new TreeSet<>();
      e.getAsJsonArray().forEach(x -> inner.add(shape(x)));
      return "[" + String.join("|", inner) + "]";
    }
    return "";
  }

  /**
   * The per-peer differences between the two runs, as unified-diff-like text ("-" only from
   * PeerPigeon's hub, "+" only from Loft), or an empty string when they match.
   */
  static String diff(JsonObject peerPigeon, JsonObject loft, List<String> peers) {
    StringBuilder out = new StringBuilder();
    for (String peer : peers) {
      List<Line> expected = comparable(peerPigeon, peer, Hub.PEERPIGEON);
      List<Line> actual = comparable(loft, peer, Hub.LOFT);
      if (expected.equals(actual)) {
        continue;
      }
      out.append("peer ").append(peer).append(": frames received (- PeerPigeon's hub, + Loft)\n");
      for (String line : lcsDiff(expected, actual)) {
        out.append("  ").append(line).append('\n');
      }
      Set<String> steps = new TreeSet<>();
      for (String line : lcsDiff(expected, actual)) {
        if (line.startsWith("-") || line.startsWith("+")) {
          steps.add(line.substring(2, Math.min(line.length(), 24)).trim());
        }
      }
      out.append("  full frames of peer ").append(peer).append(" in the differing steps:\n");
      for (String step : steps) {
        out.append("    PeerPigeon's hub, step ").append(step).append(":\n");
        framesInStep(peerPigeon, peer, step).forEach(f -> out.append("      ").append(f).append('\n'));
        out.append("    Loft, step ").append(step).append(":\n");
        framesInStep(loft, peer, step).forEach(f -> out.append("      ").append(f).append('\n'));
      }
    }
    return out.toString();
  }

  static List<String> framesInStep(JsonObject result, String peer, String step) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : frames(result, peer)) {
      JsonObject entry = e.getAsJsonObject();
      if (entry.get("step").getAsString().equals(step)) {
        out.add(compact(entry.get("frame")));
      }
    }
    if (out.isEmpty()) {
      out.add("(nothing)");
    }
    return out;
  }

  static String compact(JsonElement e) {
    return new GsonBuilder().disableHtmlEscaping().create().toJson(e);
  }

  /** A minimal line diff (longest common subsequence): " " both, "-" expected only, "+" actual only. */
  static List<String> lcsDiff(List<Line> a, List<Line> b) {
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        out.add("  " + a.get(i));
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.add("- " + a.get(i));
        i++;
      } else {
        out.add("+ " + b.get(j));
        j++;
      }
    }
    return out;
  }

  /** Which steps each run passed, side by side, for failure messages. */
  static Map<String, String> stepStatus(JsonObject result) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonArray steps = result.has("steps") ? result.getAsJsonArray("steps") : new JsonArray();
    for (JsonElement e : steps) {
      JsonObject s = e.getAsJsonObject();
      out.put(s.get("name").getAsString(), s.get("ok").getAsBoolean() ? "ok"
          : "FAILED: " + (s.has("error") ? s.get("error").getAsString() : "?"));
    }
    return out;
  }
}
