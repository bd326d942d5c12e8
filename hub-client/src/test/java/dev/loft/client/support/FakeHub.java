package dev.loft.client.support;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.Frame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A stand-in for a hub, for what a real hub will not do on demand: send a frame of a chosen size,
 * evict a peer the moment it is announced, or leave an announce unanswered. It speaks just enough
 * Loft for a client to connect (every request with an id is acked, announces unless {@link
 * #answerAnnounces} says not) and hands each announced connection to {@link #onAnnounced}.
 *
 * <p>Threads: the library's selector and worker threads call back; the fields they share with the
 * test thread are volatile or concurrent.
 */
public final class FakeHub extends WebSocketServer implements AutoCloseable {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;

  private final CountDownLatch started = new CountDownLatch(1);
  private final List<WebSocket> announced = new CopyOnWriteArrayList<>();
  private volatile Consumer<WebSocket> onAnnounced = conn -> {};
  private volatile boolean answerAnnounces = true;

  private FakeHub() {
    super(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    setReuseAddr(true);
    setDaemon(true);
  }

  /** A fake hub listening on a free loopback port. */
  public static FakeHub listen() {
    FakeHub hub = new FakeHub();
    hub.setConnectionLostTimeout(0);
    hub.start();
    try {
      if (!hub.started.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("fake hub did not start");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return hub;
  }

  public URI uri() {
    return URI.create("ws://127.0.0.1:" + getPort() + "/");
  }

  /** Runs (on the library's thread, right after the announce was acked) for every connection. */
  public void onAnnounced(Consumer<WebSocket> action) {
    onAnnounced = action;
  }

  /** False: announces get no answer (other requests still do), as from a hub that stalls. */
  public void answerAnnounces(boolean answer) {
    answerAnnounces = answer;
  }

  /** Connections that announced and are still open, answered or not. */
  public int announcedConnections() {
    return announced.size();
  }

  /** Sends {@code text} as is to every connection that announced and is still open. */
  public void sendToAnnounced(String text) {
    for (WebSocket conn : announced) {
      if (conn.isOpen()) {
        conn.send(text);
      }
    }
  }

  /** Closes every announced connection with {@code code}, as a hub evicting its peers does. */
  public void closeAnnounced(int code, String reason) {
    for (WebSocket conn : announced) {
      conn.close(code, reason);
    }
  }

  /** A {@code message} frame for {@code topic} as a hub relays it. */
  public static String message(String topic, JsonElement data) {
    return CODEC.encode(new Frame.TopicMessage(topic, "f".repeat(40), data, 1L));
  }

  @Override
  public void onStart() {
    started.countDown();
  }

  @Override
  public void onOpen(WebSocket conn, ClientHandshake handshake) {
    // nothing until the announce
  }

  @Override
  public void onMessage(WebSocket conn, String text) {
    JsonObject frame = JsonParser.parseString(text).getAsJsonObject();
    JsonElement id = frame.get("id");
    if (id == null || id.isJsonNull()) {
      return;
    }
    boolean announce = "announce".equals(frame.get("type").getAsString());
    if (announce) {
      announced.add(conn); // before the ack: once the client is connected, sendToAnnounced reaches it
      if (!answerAnnounces) {
        return;
      }
    }
    conn.send(CODEC.encode(new Frame.Ack(id.getAsString(), JsonNull.INSTANCE, 1L)));
    if (announce) {
      onAnnounced.accept(conn);
    }
  }

  @Override
  public void onMessage(WebSocket conn, ByteBuffer bytes) {
    // clients send text only
  }

  @Override
  public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    announced.remove(conn);
  }

  @Override
  public void onError(WebSocket conn, Exception ex) {
    // a test sees the effect on the client side
  }

  @Override
  public void close() {
    try {
      stop(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
