package dev.loft.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP proxy in front of one server, for the network faults a client must survive:
 * {@link #blackhole()} keeps every socket open but stops forwarding both ways, for connections
 * already made and those made meanwhile (a silent connection, as after the failover of Centrifugo's
 * incident #1189: no error, no close, nothing delivered); {@link #resume()} forwards again,
 * in order, whatever was held back; {@link #blackholeOpenConnections()} silences only the
 * connections open now while new ones go through (a failover: the old socket is dead, the server
 * is fine); {@link #cutAll()} closes every connection at once (both sides).
 *
 * <p>Threads: one acceptor, and two pumps per connection ({@code tcp-proxy-*}, daemons). While
 * blackholed a pump holds at most the one chunk it had read and stops reading, so the bytes wait
 * in the kernel's buffers. {@link #close()} closes the listener and every connection and waits
 * for all the threads to end; it is idempotent.
 */
public final class TcpProxy implements AutoCloseable {
  private static final int CHUNK = 16 * 1024;

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  // Guarded by gate.
  private boolean blackholed;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "tcp-proxy-accept-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy on a free loopback port forwarding to {@code 127.0.0.1:targetPort}. */
  public static TcpProxy to(int targetPort) {
    try {
      return new TcpProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** {@code redis://127.0.0.1:<port>}: the proxied server's address as a Redis URI. */
  public String redisUri() {
    return "redis://127.0.0.1:" + port();
  }

  /** Stops forwarding both ways; sockets stay open, new connections are accepted and held too. */
  public void blackhole() {
    synchronized (gate) {
      blackholed = true;
    }
  }

  /** Stops forwarding on the connections open now; connections made from now on are forwarded. */
  public void blackholeOpenConnections() {
    synchronized (gate) {
      for (Link link : links) {
        link.held = true;
      }
    }
  }

  /** Forwards again, including what was held back. */
  public void resume() {
    synchronized (gate) {
      blackholed = false;
      for (Link link : links) {
        link.held = false;
      }
      gate.notifyAll();
    }
  }

  /** Closes every connection made through the proxy, both sides; new ones are still accepted. */
  public void cutAll() {
    for (Link link : new ArrayList<>(links)) {
      link.cut();
    }
  }

  /** Connections open through the proxy now. */
  public int connections() {
    return links.size();
  }

  /** One proxied connection: the client's socket, the upstream socket and their two pumps. */
  private final class Link {
    final Socket client;
    final Socket upstream;
    final List<Thread> pumps;
    /** Guarded by gate: this connection alone is blackholed. */
    boolean held;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
      this.pumps = List.of(pump(this, client, upstream, "up"), pump(this, upstream, client, "down"));
    }

    void start() {
      pumps.forEach(Thread::start);
    }

    /** Closes both sockets and wakes a pump held by the blackhole, so that both pumps end. */
    void cut() {
      closeQuietly(client);
      closeQuietly(upstream);
      pumps.forEach(Thread::interrupt);
      links.remove(this);
    }
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 2_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      Link link = new Link(client, upstream);
      links.add(link);
      link.start();
      if (closed) {
        cutAll();
      }
    }
  }

  private Thread pump(Link link, Socket from, Socket to, String direction) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[CHUNK];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        while (true) {
          awaitForwarding(link);
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          awaitForwarding(link);
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // a side closed, cutAll() or close(): close both below
      } finally {
        link.cut();
      }
    }, "tcp-proxy-" + direction + "-" + from.getPort());
    t.setDaemon(true);
    return t;
  }

  private void awaitForwarding(Link link) throws InterruptedException, SocketException {
    synchronized (gate) {
      while ((blackholed || link.held) && !closed) {
        gate.wait();
      }
    }
    if (closed) {
      throw new SocketException("proxy closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(listener);
    synchronized (gate) {
      gate.notifyAll();
    }
    List<Thread> all = new ArrayList<>();
    all.add(acceptor);
    for (Link link : new ArrayList<>(links)) {
      all.addAll(link.pumps);
      link.cut();
    }
    for (Thread t : all) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
