package dev.loft.server.support;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to a hub's admin port, for tests. One shared client (each costs a thread). */
public final class AdminHttp {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String base;

  public AdminHttp(int adminPort) {
    if (adminPort <= 0) {
      throw new IllegalArgumentException("admin is not enabled on this hub (port " + adminPort + ")");
    }
    this.base = "http://127.0.0.1:" + adminPort;
  }

  public HttpResponse<String> get(String path) {
    return send("GET", path, null, null);
  }

  public HttpResponse<String> get(String path, String token) {
    return send("GET", path, token, null);
  }

  public HttpResponse<String> delete(String path, String token) {
    return send("DELETE", path, token, null);
  }

  public HttpResponse<String> post(String path, String token, String body) {
    return send("POST", path, token, body);
  }

  /** {@code token} null sends no Authorization header; {@code body} null sends none. */
  public HttpResponse<String> send(String method, String path, String token, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }

  /** The response body as a JSON object. */
  public static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }
}
