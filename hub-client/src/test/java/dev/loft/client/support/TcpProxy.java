package dev.loft.client.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder between a client and a real hub that a test can stall (hub-to-client
 * bytes are held, so requests reach the hub but their answers do not come back) and cut (every
 * connection dropped without a close frame). Used to make "no answer" and "connection lost while
 * a request is pending" deterministic.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object pauseLock = new Object();
  private boolean downstreamPaused; // guarded by pauseLock
  private volatile boolean closed;
  private final Thread acceptor;

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public URI uri() {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/");
  }

  /** Holds every byte from the hub until {@link #resume()}. */
  public void pauseDownstream() {
    synchronized (pauseLock) {
      downstreamPaused = true;
    }
  }

  public void resume() {
    synchronized (pauseLock) {
      downstreamPaused = false;
      pauseLock.notifyAll();
    }
  }

  /** Drops every open connection at the TCP level (the client sees an abnormal close). */
  public void cutAll() {
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket hub = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(hub);
        pump(client, hub, false);
        pump(hub, client, true);
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean downstream) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) != -1) {
                  if (downstream) {
                    awaitResumed();
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // connection cut or proxy closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "test-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void awaitResumed() throws InterruptedException {
    synchronized (pauseLock) {
      while (downstreamPaused && !closed) {
        pauseLock.wait();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    resume();
    closeQuietly(server);
    cutAll();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
