package dev.loft.client.internal;

import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.ProtocolLimits;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicBoolean;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;
import java.io.IOException;

/**
 * One WebSocket connection attempt (Java-WebSocket objects are single-use). Kept out of the public
 * API; the client sees only {@link SocketListener} callbacks.
 *
 * <p>Threads: Java-WebSocket runs a read thread and a write thread per connection. We start the
 * read thread ourselves (so we name it and can join it); the write thread keeps the library's name,
 * because the library offers no thread factory and we do not reach into its private fields. Both
 * are daemons and end when the socket closes: the library interrupts the write thread on close,
 * which closes the TCP socket, which ends the read loop (and see {@link #run} for the one case the
 * library misses). The library's connection-lost timer thread is not used (timeout 0); the client
 * pings from its own event thread.
 *
 * <p>Locking rule: Java-WebSocket calls back while holding its engine monitor, so {@link
 * #closeGracefully}, {@link #abort} and {@link #closeWithin} must never be called while holding the
 * client lock. {@link #trySend} takes no engine monitor and is safe under the lock.
 */
final class HubSocket extends WebSocketClient {
  /**
   * UTF-8 bytes per UTF-16 char, at most: a BMP char takes up to 3 bytes, a surrogate pair (two
   * chars) takes 4. So a text of n chars is never longer than 3n bytes on the wire.
   */
  static final int MAX_UTF8_BYTES_PER_CHAR = 3;
  /** After an abort, how long a close still waits for the read thread to end. */
  private static final Duration ABORT_WAIT = Duration.ofSeconds(1);

  private final SocketListener listener;
  private final URI hubUri;
  private final String readThreadName;
  private final AtomicBoolean closedReported = new AtomicBoolean();
  /** Set by {@link #abort}: a read thread that has not started connecting yet will not. */
  private volatile boolean aborted;
  /** Started by {@link #start()} from the client lock; read by close paths to join it. */
  private volatile Thread readThread;

  /**
   * @param maxMessageBytes the largest WebSocket message read, see {@link #maxMessageBytes}: the
   *     library's own default is {@code Integer.MAX_VALUE}, so without it any endpoint at the hub's
   *     address could make this client buffer up to 2 GiB for one message.
   */
  HubSocket(
      URI hubUri,
      String peerId,
      Duration connectTimeout,
      int maxMessageBytes,
      SocketListener listener,
      ClientThreads names) {
    super(
        withPeerId(hubUri, peerId),
        new Draft_6455(Collections.emptyList(), maxMessageBytes),
        null,
        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    this.hubUri = hubUri;
    this.listener = listener;
    String base = names.nextName();
    this.readThreadName = base + "-read";
    setConnectionLostTimeout(0);
    setDaemon(true);
    setTcpNoDelay(true);
  }

  /**
   * The largest message worth reading for a codec with {@code limits}: the bytes of the longest
   * text it decodes. A message past it closes the socket with {@code 1009} as soon as its header
   * is read, before its payload is buffered.
   *
   * <p>No headroom is added, on purpose: 3 bytes per char is an exact upper bound, so a message
   * longer than this has more chars than the codec accepts and would be dropped as a bad frame
   * right after being read in full. Frames the hub stamps ({@code fromPeerId}, {@code timestamp})
   * are still frames the codec must accept, so they are covered by the same bound.
   */
  static int maxMessageBytes(ProtocolLimits limits) {
    return Math.multiplyExact(limits.maxFrameChars(), MAX_UTF8_BYTES_PER_CHAR);
  }

  /** The hub learns who connects from the {@code peerId} query, added to what the user configured. */
  private static URI withPeerId(URI uri, String peerId) {
    String query = uri.getRawQuery();
    String param = "peerId=" + URLEncoder.encode(peerId, StandardCharsets.UTF_8);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String authority = uri.getRawAuthority();
    return URI.create(
        uri.getScheme() + "://" + authority + path + "?" + (query == null ? param : query + "&" + param));
  }

  /** The hub's uri as configured (without the peerId query). */
  URI hubUri() {
    return hubUri;
  }

  /** Starts connecting on a new read thread; returns at once. Call once. */
  void start() {
    Thread t = new Thread(this, readThreadName);
    t.setDaemon(true);
    readThread = t;
    t.start();
  }

  /**
   * The read thread's body. Whatever way it ends, the library's write thread is stopped too: if we
   * aborted before the TCP connect finished, the library starts the write thread after its close
   * callback already ran, and nothing else would ever interrupt it out of its queue wait. The
   * thread is the library's (no handle to it without reflection), so it is woken through its own
   * queue: one byte, which it fails to write to the socket that is closed by now, and ends.
   */
  @Override
  public void run() {
    try {
      if (!aborted) {
        super.run();
      }
    } finally {
      wakeWriteThread();
    }
  }

  /**
   * See {@link #run}: the read loop is over, so the socket is closed here (if the library has not
   * already), and the byte the write thread then tries to write fails and ends it.
   */
  private void wakeWriteThread() {
    Socket raw = getSocket();
    if (raw != null) {
      try {
        raw.close();
      } catch (IOException ignored) {
        // closed already
      }
    }
    if (getConnection() instanceof org.java_websocket.WebSocketImpl engine) {
      engine.outQueue.offer(ByteBuffer.wrap(new byte[1]));
    }
  }

  /** Queues a text frame; false when the socket is not open (the caller buffers or fails). */
  boolean trySend(String text) {
    try {
      send(text);
      return true;
    } catch (WebsocketNotConnectedException e) {
      return false;
    }
  }

  boolean trySendPing() {
    try {
      sendPing();
      return true;
    } catch (WebsocketNotConnectedException e) {
      return false;
    }
  }

  /** Starts the close handshake; returns at once. Never under the client lock. */
  void closeGracefully(int code, String reason) {
    close(code, reason);
  }

  /**
   * Drops the connection now, without a handshake: reports {@link SocketListener#onClosed} with
   * {@code 1006} at once and closes the TCP socket, which also ends a connect still in progress.
   * Never under the client lock.
   */
  void abort(String reason) {
    aborted = true;
    closeConnection(CloseFrame.ABNORMAL_CLOSE, reason);
    Socket raw = getSocket();
    if (raw != null) {
      try {
        raw.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /**
   * Close handshake, bounded by {@code timeout}; then cuts the socket and waits a little more for
   * the read thread. Never under the client lock.
   */
  void closeWithin(Duration timeout) {
    if (!isOpen()) {
      abort("client closed");
    } else {
      closeGracefully(CloseCodes.NORMAL, "client closed");
    }
    if (isReadThread()) {
      return; // called from a callback on this socket's thread: it ends when that returns
    }
    try {
      if (!awaitThreads(timeout)) {
        abort("close handshake timed out");
        awaitThreads(ABORT_WAIT);
      }
    } catch (InterruptedException e) {
      abort("interrupted while closing");
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the read thread (started by us) to end; true when it has. */
  private boolean awaitThreads(Duration timeout) throws InterruptedException {
    Thread t = readThread;
    if (t == null || t == Thread.currentThread()) {
      return t == null;
    }
    t.join(Math.max(1, timeout.toMillis()));
    return !t.isAlive();
  }

  private boolean isReadThread() {
    return Thread.currentThread() == readThread;
  }

  // ------------------------------------------------------------------------- library callbacks

  @Override
  public void onOpen(ServerHandshake handshake) {
    listener.onOpen(this);
  }

  @Override
  public void onMessage(String message) {
    listener.onText(this, message);
  }

  @Override
  public void onMessage(ByteBuffer bytes) {
    // Loft speaks JSON text only; binary frames are ignored.
  }

  @Override
  public void onWebsocketPong(WebSocket conn, Framedata f) {
    listener.onPong(this);
  }

  @Override
  public void onClose(int code, String reason, boolean remote) {
    if (closedReported.compareAndSet(false, true)) {
      listener.onClosed(this, code, reason == null ? "" : reason, remote);
    }
  }

  @Override
  public void onError(Exception ex) {
    listener.onTransportError(this, ex);
  }
}
