package dev.loft.stress.ws;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A minimal RFC 6455 client engine for load generation: a few selector threads serve any number
 * of connections (no thread per connection). Each connection is bound to a source address taken
 * round-robin from 127.0.0.1..127.0.0.N so that one process can open more connections than one
 * address's ephemeral port range allows, and stays under a hub's per-address limit.
 *
 * <p>Internal to the stress tool; not a general-purpose WebSocket client (no TLS, no extensions,
 * text frames only).
 */
public final class WsEngine implements AutoCloseable {
  private final Loop[] loops;
  private final InetAddress[] sources;
  private final AtomicInteger nextLoop = new AtomicInteger();
  private final AtomicInteger nextSource = new AtomicInteger();
  final AtomicLong opened = new AtomicLong();
  final AtomicLong closed = new AtomicLong();
  final AtomicLong connectFailures = new AtomicLong();
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();
  final AtomicInteger live = new AtomicInteger();
  /** A connection not open (TCP + WebSocket handshake) within this is dropped as failed. */
  volatile long connectTimeoutMillis = 15_000;
  /**
   * Whether a loop gathers every frame its connections produced in one pass into one write per
   * connection (a client library that coalesces), or writes each frame as it is sent, one system
   * call per frame (what browsers and most client libraries do; the default).
   */
  volatile boolean batchedWrites;

  public void batchedWrites(boolean value) {
    batchedWrites = value;
  }

  public void connectTimeoutMillis(long value) {
    connectTimeoutMillis = value;
  }

  public WsEngine(int threads, int sourceAddresses) throws IOException {
    this(threads, 1, sourceAddresses);
  }

  /**
   * As above, with the source addresses 127.0.0.{@code first}..127.0.0.({@code first} + N - 1):
   * a scenario can put some connections on an address no other connection of its uses (e.g. many
   * peers "from one address").
   */
  public WsEngine(int threads, int first, int sourceAddresses) throws IOException {
    if (threads < 1 || sourceAddresses < 1 || first < 1 || first + sourceAddresses - 1 > 254) {
      throw new IllegalArgumentException("threads >= 1 and 127.0.0.first..127.0.0.(first+N-1) within 1..254");
    }
    sources = new InetAddress[sourceAddresses];
    for (int i = 0; i < sourceAddresses; i++) {
      sources[i] = loopback(first + i);
    }
    loops = new Loop[threads];
    for (int i = 0; i < threads; i++) {
      loops[i] = new Loop(this, "ws-loop-" + i);
      loops[i].start();
    }
  }

  private static InetAddress loopback(int last) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
  }

  /** Connections whose socket is open (connecting, open or closing). */
  public int live() {
    return live.get();
  }

  public long opened() {
    return opened.get();
  }

  public long connectFailures() {
    return connectFailures.get();
  }

  public long bytesIn() {
    return bytesIn.get();
  }

  public long bytesOut() {
    return bytesOut.get();
  }

  public int sourceAddresses() {
    return sources.length;
  }

  /** Opens a connection to a {@code ws://127.0.0.x:port/path?query} URI; never blocks on the network. */
  public WsConn connect(URI uri, WsListener listener) {
    return connect(uri, listener, 0);
  }

  /**
   * As {@link #connect(URI, WsListener)}; a positive {@code receiveBuffer} sets SO_RCVBUF before
   * connecting (a small one makes a non-reading client back-pressure the hub quickly).
   */
  public WsConn connect(URI uri, WsListener listener, int receiveBuffer) {
    return connect(uri, listener, receiveBuffer, null);
  }

  /**
   * As above; {@code created} sees the connection before any I/O starts, so a caller can record it
   * before the first callback (which may run at once on another selector thread).
   */
  public WsConn connect(URI uri, WsListener listener, int receiveBuffer, Consumer<WsConn> created) {
    Loop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    WsConn conn = new WsConn(this, loop, uri, listener);
    if (created != null) {
      created.accept(conn);
    }
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (receiveBuffer > 0) {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
      }
      bindSource(ch);
      int port = uri.getPort() < 0 ? 80 : uri.getPort();
      InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(uri.getHost()), port);
      boolean done = ch.connect(remote);
      live.incrementAndGet();
      conn.attach(ch, done);
      loop.register(conn);
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
      connectFailures.incrementAndGet();
      loop.executeLater(() -> conn.failBeforeRegister(e));
    }
    return conn;
  }

  private void bindSource(SocketChannel ch) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < sources.length; attempt++) {
      InetAddress src = sources[Math.floorMod(nextSource.getAndIncrement(), sources.length)];
      try {
        ch.bind(new InetSocketAddress(src, 0));
        return;
      } catch (BindException e) {
        last = e; // this address has no free port; try the next one
      }
    }
    throw last;
  }

  /** Runs {@code task} on a selector thread after {@code delayMillis}. */
  public void schedule(long delayMillis, Runnable task) {
    loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)].schedule(delayMillis, task);
  }

  @Override
  public void close() {
    for (Loop loop : loops) {
      loop.shutdown();
    }
  }
}
