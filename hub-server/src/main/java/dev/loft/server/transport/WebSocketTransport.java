package dev.loft.server.transport;

import dev.loft.server.link.TransportHandler;
import dev.loft.server.link.PeerLink;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.config.HubConfig;
import dev.loft.server.monitor.FileDescriptors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.function.Consumer;
import org.java_websocket.enums.Opcode;

/**
 * The Java-WebSocket 1.6.0 server, configured for a hub: inbound frames parsed by Loft's {@link
 * FastInboundDraft} (or, {@code --inbound-parser library}, the library's) with their size capped,
 * no permessage-deflate (broken with context takeover in 1.6.0), heartbeat set before start,
 * counting channels, and every callback turned into a {@link PeerLink} call on the handler.
 *
 * <p>Threads (all the library's): one selector, {@code decoders} workers, one connection-lost
 * checker. They end when {@link #stop} returns or shortly after.
 */
public final class WebSocketTransport {
  /**
   * Runs {@code task} so that the frames it sends are written per receiver when it is done, as a
   * decoder thread's read is: a fan-out to many receivers goes to the selector, which gathers
   * them, instead of one system call per receiver on the calling thread. For threads that are not
   * the transport's (the cluster's broker thread delivering another hub's publication).
   */
  public static void inOneBatch(Runnable task) {
    ReadBatch batch = ReadBatch.open();
    try {
      task.run();
    } finally {
      if (batch != null) {
        batch.flush();
      }
    }
  }

  /** Pending TCP connections the kernel may hold for us (listen backlog). */
  public static final int ACCEPT_BACKLOG = 4096;

  private final Server server;
  private final HandshakeGuard guard;
  private final InetSocketAddress address;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final Consumer<Throwable> fatalHandler;
  private final StatStore counters;

  /**
   * Java-WebSocket 1.6.0's lost-connection checker closes with 1006 and a reason about a missing
   * pong ("...did not respond with a pong in time..."); nothing else tells it apart.
   */
  static TransportHandler.CloseCause causeOf(int code, String reason, boolean remote) {
    return code == CloseFrame.ABNORMAL_CLOSE && !remote && reason != null && reason.contains("pong")
        ? TransportHandler.CloseCause.HEARTBEAT_TIMEOUT
        : TransportHandler.CloseCause.OTHER;
  }

  private static TransportHandler.FrameKind kind(Opcode opcode) {
    return switch (opcode) {
      case TEXT -> TransportHandler.FrameKind.TEXT;
      case BINARY -> TransportHandler.FrameKind.BINARY;
      case PING -> TransportHandler.FrameKind.PING;
      case PONG -> TransportHandler.FrameKind.PONG;
      default -> TransportHandler.FrameKind.CONTINUATION;
    };
  }

  public WebSocketTransport(
      InetSocketAddress address,
      int decoders,
      int maxFrameBytes,
      int maxHandshakeBytes,
      int maxFragmentsPerMessage,
      HubConfig.InboundParser inboundParser,
      int connectionLostTimeoutSeconds,
      HandshakeGuard guard,
      MemoryBudget budget,
      StatStore counters,
      TransportHandler handler,
      Consumer<Throwable> fatalHandler) {
    this.address = address;
    this.fatalHandler = fatalHandler;
    this.counters = counters;
    this.guard = guard;
    BoundedDraft.Gate gate = (conn, opcode, bytes) -> {
      PeerLink link = conn.getAttachment();
      return handler.admitFrame(link, kind(opcode), bytes);
    };
    List<Draft> drafts = List.of(inboundParser == HubConfig.InboundParser.LIBRARY
        ? new LibraryInboundDraft(maxFrameBytes, maxFragmentsPerMessage, gate, counters, budget)
        : new FastInboundDraft(maxFrameBytes, maxFragmentsPerMessage, gate, counters, budget));
    server = new Server(address, decoders, drafts, handler);
    server.setWebSocketFactory(new CountingServerFactory(guard,
        new TransportLimits(maxHandshakeBytes, budget, counters, guard, handler)));
    server.setConnectionLostTimeout(connectionLostTimeoutSeconds);
    server.setReuseAddr(true); // a restarted hub can take its port back at once
    server.setTcpNoDelay(true);
    server.setDaemon(true);
    // A hub restart brings every peer back at once: the JDK's default accept backlog (50) would
    // make most of them retry their SYN after a second.
    server.setMaxPendingConnections(ACCEPT_BACKLOG);
  }

  /**
   * Works around the library's lost write wake-up (docs/java-websocket-1.6.0.md, defect 2): a
   * connection with frames queued whose socket is not registered for writing is asked to write
   * again. Run periodically (every {@code --write-stall-check}); counted as
   * {@code writeStallsRecovered}. Returns how many connections it had to wake.
   */
  public int recoverStalledWrites() {
    int woken = 0;
    for (WebSocket conn : server.getConnections()) {
      if (conn.getAttachment() instanceof JwsPeerLink link && link.recoverStalledWrite()) {
        woken++;
      }
    }
    if (woken > 0) {
      counters.add(Stat.WRITE_STALLS_RECOVERED, woken);
    }
    return woken;
  }

  /** Binds and starts; returns once listening, or throws if binding failed. */
  public void start(long timeoutMillis) {
    server.start();
    try {
      started.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not start the WebSocket server: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the WebSocket server did not start within " + timeoutMillis + " ms");
    }
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Whether the listener still takes connections: a plain TCP connect to it. The library closes its
   * server socket, silently and for good, when an accept fails (out of file descriptors); only a
   * refused connection counts as dead here, not a slow one.
   */
  public boolean isListening() {
    InetAddress host = address.getAddress();
    InetAddress target = host == null || host.isAnyLocalAddress()
        ? InetAddress.getLoopbackAddress() : host;
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(target, port()), 2_000);
      return true;
    } catch (ConnectException refused) {
      return false;
    } catch (IOException slow) {
      return true;
    }
  }

  /** Consecutive refused probes; {@link #PROBES_TO_DEATH} mean the listener is gone. Housekeeper only. */
  private int refusedProbes;
  /** Refused probes in a row after which the listener counts as dead (one may be a hiccup). */
  static final int PROBES_TO_DEATH = 3;

  /**
   * One periodic probe of the listener: false once it refused {@link #PROBES_TO_DEATH} times in a
   * row (the library closes its server socket, silently and for good, when an accept fails).
   */
  public boolean probeListener() {
    if (isListening()) {
      refusedProbes = 0;
      return true;
    }
    return ++refusedProbes < PROBES_TO_DEATH;
  }

  /**
   * Peers this process can hold with its open-file limit. Java-WebSocket 1.6.0 closes its listener
   * for good when an accept fails for lack of descriptors, so the hub must never get there: max
   * peers is kept below what the limit leaves after pending handshakes and the hub's own files.
   */
  public static int peerCapacity(int maxPendingHandshakes) {
    return FileDescriptors.peerCapacity(FileDescriptors.max(), maxPendingHandshakes);
  }

  /** Stops accepting, closes what is left with {@code code}, and waits for the selector thread. */
  public void stop(int timeoutMillis) {
    try {
      server.stop(timeoutMillis, "Hub shutting down");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Server extends WebSocketServer {
    private final TransportHandler handler;

    Server(InetSocketAddress address, int decoders, List<Draft> drafts, TransportHandler handler) {
      super(address, decoders, drafts);
      this.handler = handler;
    }

    @Override
    public void onStart() {
      started.complete(null);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      BatchingWebSocketImpl impl = (BatchingWebSocketImpl) conn;
      guard.opened(impl);
      JwsPeerLink link = new JwsPeerLink(impl, this, handshake.getResourceDescriptor());
      conn.setAttachment(link);
      impl.publishLink(link);
      handler.onOpen(link);
      // A close that ran before the link was published (a reset right after the handshake) told
      // no one: if the core attached meanwhile, it is told now, exactly once (see publishLink).
      if (impl.isClosedForGood() && link.markClosed()) {
        handler.onClose(link, CloseFrame.ABNORMAL_CLOSE, "closed while opening", true, TransportHandler.CloseCause.OTHER);
      }
    }

    @Override
    public void onWebsocketPing(WebSocket conn, Framedata ping) {
      PeerLink link = conn.getAttachment();
      if (link != null) {
        handler.onPing(link, ping.getPayloadData()); // not the library's own pong: see TransportHandler
      }
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata pong) {
      // Nothing to do: the library noted the time (heartbeat); the frame took its token at the gate.
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      PeerLink link = conn.getAttachment();
      if (link != null) {
        handler.onText(link, message);
      }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
      PeerLink link = conn.getAttachment();
      if (link != null) {
        handler.onBinary(link, message.remaining());
      }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      JwsPeerLink link = conn.getAttachment();
      if (link != null && link.markClosed()) {
        handler.onClose(link, code, reason, remote, causeOf(code, reason, remote));
      }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
      if (conn == null && !started.isDone()) {
        started.completeExceptionally(ex);
      }
      if (ex != null && ex.getCause() instanceof VirtualMachineError fatal) {
        // The library stops its server on this (handleFatal): the hub must not outlive its listener.
        fatalHandler.accept(fatal);
      }
      handler.onError(conn == null ? null : conn.getAttachment(), ex);
    }
  }
}
