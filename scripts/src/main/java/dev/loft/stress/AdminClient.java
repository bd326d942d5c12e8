package dev.loft.stress;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.server.stats.HubStats;
import dev.loft.server.stats.Stat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** Reads the hub's admin HTTP API. */
final class AdminClient {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
  private volatile String base;
  /**
   * The hub's admin token, for {@code ?gc=true} (a forced GC stops the world, so the hub allows
   * it only to its operator). Set once per run: by {@code --admin-token}, or generated for a hub
   * the tool starts itself.
   */
  private static volatile String token;
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  static void token(String value) {
    token = value == null || value.isBlank() ? null : value;
  }

  AdminClient(String base) {
    this.base = strip(base);
  }

  void base(String value) {
    base = strip(value);
  }

  String base() {
    return base;
  }

  private static String strip(String b) {
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  /** GET /stats (with {@code gc=true}, the hub runs a full GC first so heap is the live set). */
  JsonObject stats(boolean gc) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/stats" + (gc ? "?gc=true" : "")))
            .timeout(Duration.ofSeconds(gc ? 60 : 10))
            .GET();
    String t = token;
    if (gc && t != null) {
      b.header("Authorization", "Bearer " + t);
    }
    HttpRequest req = b.build();
    try {
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (gc && (resp.statusCode() == 401 || resp.statusCode() == 403)) {
        if (WARNED.compareAndSet(false, true)) {
          System.err.println("stress: the hub refused ?gc=true (" + resp.statusCode()
              + "); heap figures are not after a GC. Give the hub's --admin-token to the tool.");
        }
        return stats(false);
      }
      if (resp.statusCode() != 200) {
        throw new IOException("GET /stats answered " + resp.statusCode());
      }
      JsonElement json = JsonParser.parseString(resp.body());
      return json.getAsJsonObject();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (RuntimeException e) {
      throw new IOException("bad /stats answer: " + e.getMessage(), e);
    }
  }

  /** GET /stats?gc=true twice (a second collection settles finalizers and soft references). */
  JsonObject statsAfterGc() throws IOException {
    stats(true);
    return stats(true);
  }

  boolean healthy() {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).GET().build();
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * One statistic from a hub's {@code /stats} document, read through the hub's own declarations
   * ({@link Stat}), so no name is spelled here; -1 when the hub was down or did not report it.
   */
  static long num(JsonObject stats, Stat stat) {
    if (stats == null) {
      return -1;
    }
    HubStats s = HubStats.fromJson(stats);
    return s.has(stat) ? s.get(stat) : -1;
  }
}
