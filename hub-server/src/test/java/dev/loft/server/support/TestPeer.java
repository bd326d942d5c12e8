package dev.loft.server.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.PeerIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket peer for tests, in the style of OkHttp's WebSocketRecorder: every frame and
 * the close land in a blocking queue, and {@code expect…} methods take them in order with a
 * timeout. It reads only when asked ({@link #stopReading()} makes it a slow consumer for real:
 * the JDK client then stops reading its socket).
 */
public final class TestPeer implements AutoCloseable {
  /** One HttpClient for all test peers: each costs a selector thread. */
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final long TIMEOUT_MS = 5_000;

  /** What arrived: a text frame or the close. */
  public record Event(String text, int closeCode, String closeReason) {
    boolean isClose() {
      return text == null;
    }
  }

  private final String peerId;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<Event> closed = new CompletableFuture<>();
  private volatile boolean reading = true;
  private volatile WebSocket socket;
  private final StringBuilder partial = new StringBuilder();

  private TestPeer(String peerId) {
    this.peerId = peerId;
  }

  /** Connects with a random id and takes the hub's {@code connected} frame. */
  public static TestPeer connect(URI hub) {
    TestPeer peer = connectRaw(hub, PeerIds.random());
    peer.expect("connected");
    return peer;
  }

  /** Connects as {@code peerId} (any string, even invalid) without waiting for any frame. */
  public static TestPeer connectRaw(URI hub, String peerId) {
    String query = peerId == null ? "" : "?peerId=" + peerId;
    TestPeer peer = new TestPeer(peerId);
    try {
      peer.socket = CLIENT.newWebSocketBuilder()
          .buildAsync(URI.create(hub.toString() + query), peer.listener())
          .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not connect to " + hub + ": " + e, e);
    }
    return peer;
  }

  public String id() {
    return peerId;
  }

  public TestPeer send(String text) {
    try {
      socket.sendText(text, true).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed: " + e, e);
    }
    return this;
  }

  public TestPeer send(JsonObject frame) {
    return send(frame.toString());
  }

  public TestPeer announce(String network) {
    return send(Json.obj("type", "announce", "networkName", network, "data", Json.obj("peerId", peerId)));
  }

  /** Takes the next frame, which must have {@code type}; returns it. */
  public JsonObject expect(String type) {
    JsonObject frame = next();
    assertEquals(type, frame.get("type").getAsString(), () -> "expected a '" + type + "' frame, got " + frame);
    return frame;
  }

  /** Takes frames until one matches; fails if none does within the timeout. */
  public JsonObject expectMatching(Predicate<JsonObject> match, String what) {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    List<JsonObject> skipped = new ArrayList<>();
    while (System.currentTimeMillis() < deadline) {
      Event e = poll(deadline - System.currentTimeMillis());
      if (e == null) {
        break;
      }
      if (e.isClose()) {
        fail("closed (" + e.closeCode() + " " + e.closeReason() + ") while waiting for " + what + "; skipped " + skipped);
      }
      JsonObject frame = JsonParser.parseString(e.text()).getAsJsonObject();
      if (match.test(frame)) {
        return frame;
      }
      skipped.add(frame);
    }
    throw new AssertionError("no " + what + " within " + TIMEOUT_MS + " ms; skipped " + skipped);
  }

  /** Takes the next {@code error} frame and checks its code. */
  public JsonObject expectError(String code) {
    JsonObject frame = expect("error");
    assertEquals(code, frame.get("code").getAsString(), () -> "error frame: " + frame);
    return frame;
  }

  /** Takes the next frame (of any type). */
  public JsonObject next() {
    Event e = poll(TIMEOUT_MS);
    assertNotNull(e, "no frame within " + TIMEOUT_MS + " ms");
    if (e.isClose()) {
      fail("expected a frame but the hub closed: " + e.closeCode() + " " + e.closeReason());
    }
    return JsonParser.parseString(e.text()).getAsJsonObject();
  }

  /** The next frame within {@code millis}, or null: for polling something that may not have come yet. */
  public JsonObject nextOrNull(long millis) {
    Event e = poll(millis);
    if (e == null) {
      return null;
    }
    if (e.isClose()) {
      fail("expected a frame but the hub closed: " + e.closeCode() + " " + e.closeReason());
    }
    return JsonParser.parseString(e.text()).getAsJsonObject();
  }

  /** Asserts nothing arrives within {@code millis} (a bounded wait for an absence). */
  public void expectNothingFor(long millis) {
    Event e = poll(millis);
    assertNull(e, () -> "expected nothing, got " + e);
  }

  /** Waits for the close (skipping frames) and checks its code; returns the reason. */
  public String expectClosed(int code) {
    try {
      Event e = closed.get(TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
      assertEquals(code, e.closeCode(), () -> "close reason: " + e.closeReason());
      return e.closeReason();
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("not closed within " + (TIMEOUT_MS * 2) + " ms", e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Stops reading the socket: the hub's frames pile up in its queue, as with a stuck peer. */
  public void stopReading() {
    reading = false;
  }

  private Event poll(long millis) {
    try {
      return events.poll(Math.max(1, millis), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    WebSocket ws = socket;
    if (ws != null && !closed.isDone()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(t -> null);
      ws.request(Long.MAX_VALUE); // drain, so the close handshake can finish
    }
  }

  /** Drops the TCP connection without a close handshake. */
  public void abort() {
    if (socket != null) {
      socket.abort();
    }
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      @Override
      public void onOpen(WebSocket ws) {
        ws.request(1);
      }

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          events.add(new Event(partial.toString(), 0, null));
          partial.setLength(0);
        }
        if (reading) {
          ws.request(1);
        }
        return null;
      }

      // Not the JDK's defaults, which ask for the next message whatever: a peer that stopped reading
      // would go on reading (and answering) pings, and a hub's heartbeat would never find it silent.
      @Override
      public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        if (reading) {
          ws.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        if (reading) {
          ws.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        if (reading) {
          ws.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        Event e = new Event(null, statusCode, reason);
        events.add(e);
        closed.complete(e);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        Event e = new Event(null, 1006, String.valueOf(error));
        events.add(e);
        closed.complete(e);
      }
    };
  }
}
