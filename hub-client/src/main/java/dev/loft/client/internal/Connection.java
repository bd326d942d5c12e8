package dev.loft.client.internal;

import com.google.gson.JsonObject;
import dev.loft.client.ClientClosedException;
import dev.loft.client.ConnectionLostException;
import dev.loft.client.ConnectionState;
import dev.loft.client.HubClientException;
import dev.loft.client.HubClientOptions;
import dev.loft.client.StateChange;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connection state machine: at most one socket to a hub at a time, connected (announce, then
 * re-subscribe, then flush the buffer), reconnected with backoff, kept alive by pings, closed.
 * What the client sends passes through here on its way to {@link Outbound}, because the state
 * decides whether it is sent or buffered.
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li>{@link #lock} guards the connection state: {@link #state}, {@link #socket}, the attempt
 *       and hub counters, the three timers, the connect waiters, the announce data; and with them
 *       the outgoing buffer ({@link Outbound}) and topic membership ({@link TopicMembership}),
 *       which change with the state. Every transition happens under it, whichever thread triggers
 *       it (caller, socket read thread, event thread), so two sockets can never be live at once:
 *       a new socket is only created when {@link #socket} is null, and every socket callback
 *       first checks that it comes from the current socket.
 *   <li>Under the lock we may enqueue frames ({@link HubSocket#trySend}), schedule timers and post
 *       events; we never call listeners, complete futures, or close a socket (Java-WebSocket calls
 *       back while holding its own monitor, so closing under our lock could deadlock).
 *   <li>Timers run on the {@link EventThread}; there are at most three, plus one timeout per
 *       pending or buffered request, both bounded already.
 * </ul>
 */
final class Connection implements SocketListener {
  /** The client's wire format, both ways. */
  static final FrameCodec CODEC = FrameCodec.DEFAULT;
  /** The socket reads no message longer than what {@link #CODEC} can decode. */
  private static final int MAX_INBOUND_MESSAGE_BYTES = HubSocket.maxMessageBytes(CODEC.limits());

  private final HubClientOptions options;
  private final String peerId;
  private final EventThread events;
  private final ClientThreads socketThreads;
  private final PendingRequests requests;
  private final InboundDispatcher inbound;
  private final Outbound outbound;
  private final TopicMembership topics;
  /** Ticker time of the last frame or pong from the hub; written by the read thread. */
  private volatile long lastInboundNanos;

  private final ReentrantLock lock;
  // ---- guarded by lock (state is volatile only so that state() can read it without the lock)
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private HubSocket socket;
  private boolean socketWasConnected;
  /** Ticker time the current socket became CONNECTED; meaningful while socketWasConnected. */
  private long connectedAtNanos;
  private int uriIndex;
  private int failedAttempts;
  private CompletableFuture<Void> connectWaiters;
  private Future<?> reconnectTimer;
  private Future<?> connectTimer;
  private Future<?> pingTimer;
  private JsonObject announceData;
  // ---- and, through the same lock, the outgoing buffer in outbound and the membership in topics

  /** @param lock also guards {@code outbound} and {@code topics}, and requests are added under it */
  Connection(
      HubClientOptions options,
      ReentrantLock lock,
      EventThread events,
      PendingRequests requests,
      InboundDispatcher inbound,
      Outbound outbound,
      TopicMembership topics) {
    this.options = options;
    this.peerId = options.peerId();
    this.lock = lock;
    this.events = events;
    this.requests = requests;
    this.inbound = inbound;
    this.outbound = outbound;
    this.topics = topics;
    this.announceData = options.announceData();
    this.socketThreads = new ClientThreads(peerId, "ws");
  }

  ConnectionState state() {
    return state;
  }

  // =========================================================================== connecting

  CompletableFuture<Void> connect() {
    lock.lock();
    try {
      switch (state) {
        case CLOSED:
          return CompletableFuture.failedFuture(new ClientClosedException());
        case CONNECTED:
          return CompletableFuture.completedFuture(null);
        case CONNECTING:
          return waitersLocked().copy();
        case WAITING_TO_RECONNECT:
          // The caller wants it now: skip the rest of the backoff, keep the attempt count.
          EventThread.cancel(reconnectTimer);
          reconnectTimer = null;
          CompletableFuture<Void> waiting = waitersLocked();
          startAttemptLocked(failedAttempts);
          return waiting.copy();
        case DISCONNECTED:
        default:
          failedAttempts = 0;
          uriIndex = 0;
          CompletableFuture<Void> fresh = waitersLocked();
          startAttemptLocked(0);
          return fresh.copy();
      }
    } finally {
      lock.unlock();
    }
  }

  private CompletableFuture<Void> waitersLocked() {
    assert lock.isHeldByCurrentThread();
    if (connectWaiters == null) {
      connectWaiters = new CompletableFuture<>();
    }
    return connectWaiters;
  }

  /** Opens a socket to the current hub. Only ever called with {@link #socket} null. */
  private void startAttemptLocked(int attempt) {
    assert lock.isHeldByCurrentThread() && socket == null;
    URI uri = options.uris().get(uriIndex);
    HubSocket s = new HubSocket(uri, peerId, options.connectTimeout(), MAX_INBOUND_MESSAGE_BYTES, this, socketThreads);
    socket = s;
    socketWasConnected = false;
    state = ConnectionState.CONNECTING;
    connectTimer = events.schedule(() -> onConnectTimeout(s), options.connectTimeout());
    inbound.post(new StateChange.Connecting(uri, attempt));
    s.start();
  }

  /** For timers: true while {@code s} is still the socket they were started for, in {@code expected}. */
  private boolean isCurrent(HubSocket s, ConnectionState expected) {
    lock.lock();
    try {
      return s == socket && state == expected;
    } finally {
      lock.unlock();
    }
  }

  private void onConnectTimeout(HubSocket s) {
    if (!isCurrent(s, ConnectionState.CONNECTING)) {
      return;
    }
    s.abort("not connected within " + options.connectTimeout().toMillis() + " ms");
  }

  @Override
  public void onOpen(HubSocket s) {
    lastInboundNanos = options.ticker().getAsLong();
    Request announce = null;
    lock.lock();
    try {
      if (s == socket && state == ConnectionState.CONNECTING) {
        announce = requests.newRequest("announce");
        Frame frame = new Frame.Announce(announce.id, options.networkName(), announceData.deepCopy());
        outbound.sendInternalLocked(s, frame, announce);
      }
    } finally {
      lock.unlock();
    }
    if (announce == null) {
      s.closeGracefully(CloseCodes.NORMAL, "superseded"); // a socket we no longer want
      return;
    }
    announce.future.whenComplete(
        (ack, error) -> {
          if (error == null) {
            resubscribe(s);
          } else if (!(error instanceof ConnectionLostException)) {
            // The hub refused the announce (e.g. a network limit): this attempt failed.
            s.abort("announce failed: " + error.getMessage());
          }
        });
  }

  /** After the announce: subscribe every active topic, then finish once all are answered. */
  private void resubscribe(HubSocket s) {
    List<CompletableFuture<?>> answers;
    lock.lock();
    try {
      if (s != socket || state != ConnectionState.CONNECTING) {
        return;
      }
      answers = topics.resubscribeLocked(s);
    } finally {
      lock.unlock();
    }
    // A refused topic is reported through its ready() future; it does not fail the connection.
    CompletableFuture.allOf(
            answers.stream().map(f -> f.handle((ok, e) -> null)).toArray(CompletableFuture[]::new))
        .whenComplete((ok, e) -> finishConnect(s));
  }

  /** Flushes the buffer in call order and declares the connection up. */
  private void finishConnect(HubSocket s) {
    CompletableFuture<Void> waiters;
    List<Request> refused;
    lock.lock();
    try {
      if (s != socket || state != ConnectionState.CONNECTING) {
        return;
      }
      EventThread.cancel(connectTimer);
      connectTimer = null;
      refused = outbound.flushLocked(s);
      state = ConnectionState.CONNECTED;
      socketWasConnected = true;
      // Not failedAttempts = 0 here: a hub may admit and then evict at once. See onClosed.
      connectedAtNanos = options.ticker().getAsLong();
      waiters = connectWaiters;
      connectWaiters = null;
      startPingLocked(s);
      inbound.post(new StateChange.Connected(s.hubUri(), peerId));
    } finally {
      lock.unlock();
    }
    requests.failAll(refused, r -> requests.full());
    if (waiters != null) {
      waiters.complete(null);
    }
  }

  // =========================================================================== losing it

  @Override
  public void onClosed(HubSocket s, int code, String reason, boolean remote) {
    List<Request> lost;
    CompletableFuture<Void> gaveUp = null;
    String gaveUpReason = null;
    lock.lock();
    try {
      if (s != socket) {
        return; // an old socket, or close() already took this one
      }
      socket = null;
      topics.socketGoneLocked();
      EventThread.cancel(connectTimer);
      EventThread.cancel(pingTimer);
      connectTimer = null;
      pingTimer = null;
      lost = requests.drain();
      int wireCode = code < 1000 ? 1006 : code; // Java-WebSocket reports -1 for "never connected"
      inbound.post(new StateChange.Disconnected(wireCode, reason, remote));
      // Preference order: after an established connection start again from the first hub,
      // after a failed attempt move on to the next one.
      uriIndex = socketWasConnected ? 0 : (uriIndex + 1) % options.uris().size();
      if (socketWasConnected) {
        Duration connectedFor = Duration.ofNanos(options.ticker().getAsLong() - connectedAtNanos);
        if (options.reconnectPolicy().resetsBackoff(connectedFor, wireCode)) {
          failedAttempts = 0;
        }
      }
      String terminal = terminalReason(wireCode);
      int attempt = failedAttempts + 1;
      if (terminal == null && options.reconnectPolicy().allows(attempt)) {
        failedAttempts = attempt;
        Duration delay = options.reconnectPolicy().delay(attempt, jitter());
        state = ConnectionState.WAITING_TO_RECONNECT;
        reconnectTimer = events.schedule(this::onReconnectTimer, delay);
        inbound.post(new StateChange.Reconnecting(attempt, delay));
      } else {
        gaveUpReason =
            terminal != null ? terminal : "no reconnect attempt left after " + failedAttempts;
        state = ConnectionState.DISCONNECTED;
        gaveUp = connectWaiters;
        connectWaiters = null;
        inbound.post(new StateChange.GaveUp(failedAttempts, gaveUpReason));
      }
    } finally {
      lock.unlock();
    }
    requests.failAll(
        lost,
        r -> new ConnectionLostException("connection closed (" + code + " " + reason + ") before the hub answered " + r.type));
    if (gaveUp != null) {
      gaveUp.completeExceptionally(new HubClientException("gave up connecting: " + gaveUpReason));
    }
  }

  /** Close codes after which reconnecting would fight an operator or another connection. */
  private static String terminalReason(int code) {
    switch (code) {
      case CloseCodes.KICKED:
        return "kicked by a hub operator";
      case CloseCodes.REPLACED:
        return "replaced by another connection with the same peer id";
      default:
        return null;
    }
  }

  private double jitter() {
    double r = options.random().getAsDouble();
    return r >= 0.0 && r < 1.0 ? r : Math.min(Math.max(r, 0.0), Math.nextDown(1.0));
  }

  private void onReconnectTimer() {
    lock.lock();
    try {
      if (state != ConnectionState.WAITING_TO_RECONNECT || socket != null) {
        return; // connect() or close() got here first
      }
      reconnectTimer = null;
      startAttemptLocked(failedAttempts);
    } finally {
      lock.unlock();
    }
  }

  // =========================================================================== heartbeat

  private void startPingLocked(HubSocket s) {
    assert lock.isHeldByCurrentThread();
    Duration interval = options.pingInterval();
    if (interval.isZero()) {
      return;
    }
    long nanos = interval.toNanos();
    pingTimer = events.scheduleAtFixedRate(() -> pingTick(s, nanos), interval);
  }

  /** Pings the hub, or drops a connection that has been silent for two intervals. */
  private void pingTick(HubSocket s, long intervalNanos) {
    if (!isCurrent(s, ConnectionState.CONNECTED)) {
      return;
    }
    long silent = options.ticker().getAsLong() - lastInboundNanos;
    if (silent > 2 * intervalNanos) {
      s.abort("no traffic from the hub for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
    } else {
      s.trySendPing();
    }
  }

  @Override
  public void onText(HubSocket s, String text) {
    lastInboundNanos = options.ticker().getAsLong();
    inbound.onText(text);
  }

  @Override
  public void onPong(HubSocket s) {
    lastInboundNanos = options.ticker().getAsLong();
  }

  @Override
  public void onTransportError(HubSocket s, Exception error) {
    inbound.onTransportError(error);
  }

  // =========================================================================== closing

  /**
   * Moves to CLOSED for good: cancels every timer, fails every pending and buffered request and
   * the connect waiters, forgets every topic, closes the socket and posts {@code Closed} last.
   * Call once.
   */
  void close() {
    HubSocket s;
    List<Request> lost;
    List<Request> buffered;
    CompletableFuture<Void> waiters;
    List<TopicEntry> entries;
    lock.lock();
    try {
      state = ConnectionState.CLOSED;
      s = socket;
      socket = null;
      EventThread.cancel(reconnectTimer);
      EventThread.cancel(connectTimer);
      EventThread.cancel(pingTimer);
      reconnectTimer = connectTimer = pingTimer = null;
      lost = requests.drain();
      buffered = outbound.discardLocked();
      waiters = connectWaiters;
      connectWaiters = null;
      entries = topics.closeLocked();
    } finally {
      lock.unlock();
    }
    ClientClosedException closedError = new ClientClosedException();
    requests.failAll(lost, r -> closedError);
    requests.failAll(buffered, r -> closedError);
    if (waiters != null) {
      waiters.completeExceptionally(closedError);
    }
    topics.failClosed(entries, closedError);
    if (s != null) {
      assert !lock.isHeldByCurrentThread();
      s.closeWithin(options.closeTimeout());
    }
    inbound.post(new StateChange.Closed());
  }

  // =========================================================================== sending

  /**
   * Sends now when connected, else buffers (see {@link Outbound#sendOrBufferLocked}); returns why
   * {@code text} was refused, or null.
   *
   * @param r the request {@code text} carries, or null for fire-and-forget
   */
  Throwable submit(String text, Request r) {
    Throwable tooLong = Outbound.tooLong(text);
    if (tooLong != null) {
      return tooLong;
    }
    lock.lock();
    try {
      if (state == ConnectionState.CLOSED) {
        return new ClientClosedException();
      }
      return outbound.sendOrBufferLocked(state == ConnectionState.CONNECTED ? socket : null, text, r);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps {@code data} for every later announce. Returns what the caller waits for when the next
   * connect will announce it, or null when connected: then the caller announces it now.
   */
  CompletableFuture<Void> announceData(JsonObject data) {
    lock.lock();
    try {
      if (state == ConnectionState.CLOSED) {
        return CompletableFuture.failedFuture(new ClientClosedException());
      }
      announceData = data;
      if (state == ConnectionState.CONNECTED) {
        return null;
      }
      return connectWaiters == null ? CompletableFuture.completedFuture(null) : connectWaiters.copy();
    } finally {
      lock.unlock();
    }
  }
}
