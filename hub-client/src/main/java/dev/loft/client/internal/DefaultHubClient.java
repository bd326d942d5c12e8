package dev.loft.client.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.loft.bus.EventBus;
import dev.loft.bus.ListenerHandle;
import dev.loft.client.BufferFullException;
import dev.loft.client.ClientClosedException;
import dev.loft.client.ConnectionLostException;
import dev.loft.client.ConnectionState;
import dev.loft.client.DirectMessage;
import dev.loft.client.EventQueueFullException;
import dev.loft.client.HubClient;
import dev.loft.client.HubClientException;
import dev.loft.client.HubClientOptions;
import dev.loft.client.HubError;
import dev.loft.client.HubRequestException;
import dev.loft.client.IncomingSignal;
import dev.loft.client.PeerDiscovered;
import dev.loft.client.PeerLeft;
import dev.loft.client.Presence;
import dev.loft.client.RequestTimeoutException;
import dev.loft.client.StateChange;
import dev.loft.client.Subscription;
import dev.loft.client.TopicMessage;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.ProtocolException;
import dev.loft.protocol.SignalKind;
import dev.loft.protocol.Validation;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.security.SecureRandom;

/**
 * The {@link HubClient}: one connection state machine guarded by one lock.
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li>{@link #lock} guards the connection state: {@link #state}, {@link #socket}, the attempt
 *       and hub counters, the three timers, the connect waiters, the announce data, the outgoing
 *       buffer and topic membership. Every transition happens under it, whichever thread triggers
 *       it (caller, socket read thread, event thread), so two sockets can never be live at once:
 *       a new socket is only created when {@link #socket} is null, and every socket callback
 *       first checks that it comes from the current socket.
 *   <li>Under the lock we may enqueue frames ({@link HubSocket#trySend}), schedule timers and post
 *       events; we never call listeners, complete futures, or close a socket (Java-WebSocket calls
 *       back while holding its own monitor, so closing under our lock could deadlock).
 *   <li>The event thread ({@link #events}, one daemon thread) runs every timer and delivers every
 *       listener event in order. The socket's read thread decodes frames and completes request
 *       futures ({@link PendingRequests} needs no lock).
 *   <li>Every listener delivery goes through {@link #eventQueue} (lock-free), which bounds how many
 *       wait for the event thread. Timers do not: there are at most three, plus one timeout per
 *       pending or buffered request, both bounded already.
 * </ul>
 */
public final class DefaultHubClient implements HubClient, SocketListener {
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;
  /** The socket reads no message longer than what {@link #CODEC} can decode. */
  private static final int MAX_INBOUND_MESSAGE_BYTES = HubSocket.maxMessageBytes(CODEC.limits());
  private static final Duration ABORT_WAIT = Duration.ofSeconds(1);
  /** StateChange records, for {@link #onStateChange}: the bus dispatches on exact classes. */
  private static final List<Class<? extends StateChange>> STATE_EVENTS =
      List.of(
          StateChange.Connecting.class,
          StateChange.Connected.class,
          StateChange.Disconnected.class,
          StateChange.Reconnecting.class,
          StateChange.GaveUp.class,
          StateChange.Closed.class);

  private final HubClientOptions options;
  private final String peerId;
  private final EventBus bus;
  /** The event thread: timers and listener delivery. Its thread starts with the first task. */
  private final ScheduledThreadPoolExecutor events;
  /** Admission to {@link #events} for listener deliveries: bounded, drops counted and reported. */
  private final EventQueue eventQueue;
  private final ClientThreads socketThreads;
  private final PendingRequests pending;
  private final AtomicLong requestIds = new AtomicLong();
  private final String idPrefix =
      Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36) + ".";
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The event thread once started (it is started at most once: the pool never replaces it). */
  private volatile Thread eventThread;
  /** Ticker time of the last frame or pong from the hub; written by the read thread. */
  private volatile long lastInboundNanos;

  private final ReentrantLock lock = new ReentrantLock();
  // ---- guarded by lock (state is volatile only so that state() can read it without the lock)
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private HubSocket socket;
  /** True once the current socket's topics were (re)subscribed: new topics go out at once. */
  private boolean topicsSent;
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
  private final OutgoingBuffer buffer;
  /** Mutated under the lock; read without it when delivering messages. */
  private final ConcurrentHashMap<String, TopicEntry> topics = new ConcurrentHashMap<>();

  public DefaultHubClient(HubClientOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.peerId = options.peerId();
    this.announceData = options.announceData();
    this.bus =
        EventBus.builder()
            .name(ClientThreads.PREFIX + peerId.substring(0, 8))
            .maxListenersPerType(options.maxListenersPerType())
            .errorHandler(this::listenerFailed)
            .build();
    ClientThreads eventNames = new ClientThreads(peerId, "events");
    this.events =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread t = eventNames.newThread(task);
              eventThread = t;
              return t;
            });
    events.setRemoveOnCancelPolicy(true); // cancelled request timeouts must not pile up
    events.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    events.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    this.eventQueue = new EventQueue(events, options.maxQueuedEvents(), this::eventQueueFull);
    this.socketThreads = new ClientThreads(peerId, "ws");
    this.pending = new PendingRequests(options.maxPendingRequests());
    this.buffer = new OutgoingBuffer(options.maxBufferedFrames(), options.maxBufferedBytes());
  }

  @Override
  public String peerId() {
    return peerId;
  }

  @Override
  public HubClientOptions options() {
    return options;
  }

  @Override
  public ConnectionState state() {
    return state;
  }

  // =========================================================================== connection

  @Override
  public CompletableFuture<Void> connect() {
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
          cancel(reconnectTimer);
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
    if (connectWaiters == null) {
      connectWaiters = new CompletableFuture<>();
    }
    return connectWaiters;
  }

  /** Opens a socket to the current hub. Only ever called with {@link #socket} null. */
  private void startAttemptLocked(int attempt) {
    URI uri = options.uris().get(uriIndex);
    HubSocket s =
        new HubSocket(uri, withPeerId(uri), options.connectTimeout(), MAX_INBOUND_MESSAGE_BYTES, this, socketThreads);
    socket = s;
    topicsSent = false;
    socketWasConnected = false;
    state = ConnectionState.CONNECTING;
    connectTimer = schedule(() -> onConnectTimeout(s), options.connectTimeout());
    post(new StateChange.Connecting(uri, attempt));
    s.start();
  }

  private URI withPeerId(URI uri) {
    String query = uri.getRawQuery();
    String param = "peerId=" + URLEncoder.encode(peerId, StandardCharsets.UTF_8);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String authority = uri.getRawAuthority();
    return URI.create(
        uri.getScheme() + "://" + authority + path + "?" + (query == null ? param : query + "&" + param));
  }

  private void onConnectTimeout(HubSocket s) {
    lock.lock();
    try {
      if (s != socket || state != ConnectionState.CONNECTING) {
        return;
      }
    } finally {
      lock.unlock();
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
        announce = newRequest("announce");
        Frame frame = new Frame.Announce(announce.id, options.networkName(), announceData.deepCopy());
        sendInternalLocked(s, frame, announce);
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
    List<CompletableFuture<?>> answers = new ArrayList<>();
    lock.lock();
    try {
      if (s != socket || state != ConnectionState.CONNECTING) {
        return;
      }
      topicsSent = true;
      for (TopicEntry entry : topics.values()) {
        answers.add(subscribeLocked(s, entry).future);
      }
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
    List<Request> refused = new ArrayList<>();
    lock.lock();
    try {
      if (s != socket || state != ConnectionState.CONNECTING) {
        return;
      }
      cancel(connectTimer);
      connectTimer = null;
      for (OutgoingBuffer.Entry entry : buffer.drain()) {
        Request r = entry.request();
        if (r != null) {
          if (r.isDone()) {
            continue; // timed out while buffered
          }
          if (!pending.add(r)) {
            refused.add(r);
            continue;
          }
        }
        // If the socket dies mid-flush, the requests already added fail as ConnectionLost.
        s.trySend(entry.text());
      }
      state = ConnectionState.CONNECTED;
      socketWasConnected = true;
      // Not failedAttempts = 0 here: a hub may admit and then evict at once. See onClosed.
      connectedAtNanos = options.ticker().getAsLong();
      waiters = connectWaiters;
      connectWaiters = null;
      startPingLocked(s);
      post(new StateChange.Connected(s.hubUri(), peerId));
    } finally {
      lock.unlock();
    }
    for (Request r : refused) {
      r.future.completeExceptionally(pendingFull());
    }
    if (waiters != null) {
      waiters.complete(null);
    }
  }

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
      cancel(connectTimer);
      cancel(pingTimer);
      connectTimer = null;
      pingTimer = null;
      lost = pending.drain();
      int wireCode = code < 1000 ? 1006 : code; // Java-WebSocket reports -1 for "never connected"
      post(new StateChange.Disconnected(wireCode, reason, remote));
      // Preference order: after an established connection start again from the first hub,
      // after a failed attempt move on to the next one.
      uriIndex = socketWasConnected ? 0 : (uriIndex + 1) % options.uris().size();
      if (socketWasConnected) {
        Duration connectedFor = Duration.ofNanos(options.ticker().getAsLong() - connectedAtNanos);
        if (options.reconnectPolicy().resetsBackoff(connectedFor, wireCode)) {
          failedAttempts = 0;
        }
      }
      String terminal = terminalReason(code);
      int attempt = failedAttempts + 1;
      if (terminal == null && options.reconnectPolicy().allows(attempt)) {
        failedAttempts = attempt;
        Duration delay = options.reconnectPolicy().delay(attempt, jitter());
        state = ConnectionState.WAITING_TO_RECONNECT;
        reconnectTimer = schedule(this::onReconnectTimer, delay);
        post(new StateChange.Reconnecting(attempt, delay));
      } else {
        gaveUpReason =
            terminal != null ? terminal : "no reconnect attempt left after " + failedAttempts;
        state = ConnectionState.DISCONNECTED;
        gaveUp = connectWaiters;
        connectWaiters = null;
        post(new StateChange.GaveUp(failedAttempts, gaveUpReason));
      }
    } finally {
      lock.unlock();
    }
    for (Request r : lost) {
      r.future.completeExceptionally(
          new ConnectionLostException(
              "connection closed (" + code + " " + reason + ") before the hub answered " + r.type));
    }
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

  private void startPingLocked(HubSocket s) {
    Duration interval = options.pingInterval();
    if (interval.isZero()) {
      return;
    }
    long nanos = interval.toNanos();
    pingTimer = events.scheduleAtFixedRate(() -> pingTick(s, nanos), nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Pings the hub, or drops a connection that has been silent for two intervals. */
  private void pingTick(HubSocket s, long intervalNanos) {
    lock.lock();
    try {
      if (s != socket || state != ConnectionState.CONNECTED) {
        return;
      }
    } finally {
      lock.unlock();
    }
    long silent = options.ticker().getAsLong() - lastInboundNanos;
    if (silent > 2 * intervalNanos) {
      s.abort("no traffic from the hub for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
    } else {
      s.trySendPing();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    HubSocket s;
    List<Request> lost;
    List<OutgoingBuffer.Entry> buffered;
    CompletableFuture<Void> waiters;
    List<TopicEntry> entries;
    lock.lock();
    try {
      state = ConnectionState.CLOSED;
      s = socket;
      socket = null;
      cancel(reconnectTimer);
      cancel(connectTimer);
      cancel(pingTimer);
      reconnectTimer = connectTimer = pingTimer = null;
      lost = pending.drain();
      buffered = buffer.drain();
      waiters = connectWaiters;
      connectWaiters = null;
      entries = new ArrayList<>(topics.values());
      topics.clear();
    } finally {
      lock.unlock();
    }
    ClientClosedException closedError = new ClientClosedException();
    lost.forEach(r -> r.future.completeExceptionally(closedError));
    buffered.stream()
        .filter(e -> e.request() != null)
        .forEach(e -> e.request().future.completeExceptionally(closedError));
    if (waiters != null) {
      waiters.completeExceptionally(closedError);
    }
    for (TopicEntry entry : entries) {
      entry.ready.completeExceptionally(closedError);
      entry.listeners.close();
    }
    if (s != null) {
      closeSocket(s);
    }
    post(new StateChange.Closed());
    try {
      events.execute(bus::close); // after every event already queued, Closed included
    } catch (RejectedExecutionException ignored) {
      bus.close();
    }
    events.shutdown();
    if (!onEventThread()) {
      try {
        if (!events.awaitTermination(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          events.shutdownNow(); // a listener is stuck; interrupt it rather than leak the thread
        }
      } catch (InterruptedException e) {
        events.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Close handshake, bounded by the close timeout; then cut the socket. */
  private void closeSocket(HubSocket s) {
    if (!s.isOpen()) {
      s.abort("client closed");
    } else {
      s.closeGracefully(CloseCodes.NORMAL, "client closed");
    }
    if (s.isReadThread()) {
      return; // close() called from a callback on this socket's thread: it ends when we return
    }
    try {
      if (!s.awaitThreads(options.closeTimeout())) {
        s.abort("close handshake timed out");
        s.awaitThreads(ABORT_WAIT);
      }
    } catch (InterruptedException e) {
      s.abort("interrupted while closing");
      Thread.currentThread().interrupt();
    }
  }

  private boolean onEventThread() {
    return Thread.currentThread() == eventThread;
  }

  // =========================================================================== inbound

  @Override
  public void onText(HubSocket s, String text) {
    lastInboundNanos = options.ticker().getAsLong();
    Frame frame;
    try {
      frame = CODEC.decode(text);
    } catch (ProtocolException e) {
      String why = e.code() + ": " + e.getMessage();
      runOnEventThread(() -> options.errorListener().badFrame(this, why), EventQueue.Kind.ORDINARY, "badFrame report");
      return;
    }
    if (frame instanceof Frame.Ack ack) {
      Request r = pending.take(ack.id());
      if (r != null) {
        r.future.complete(ack.data() == null ? JsonNull.INSTANCE : ack.data());
      }
    } else if (frame instanceof Frame.ErrorFrame error) {
      Request r = pending.take(error.id());
      if (r != null) {
        r.future.completeExceptionally(new HubRequestException(error.code(), error.message(), error.id()));
      } else {
        HubError event = new HubError(error.code(), error.message(), error.id());
        post(event);
        runOnEventThread(() -> options.errorListener().hubError(this, event), EventQueue.Kind.ORDINARY, "hubError report");
      }
    } else if (frame instanceof Frame.TopicMessage m) {
      TopicMessage message = new TopicMessage(m.topic(), m.fromPeerId(), m.data(), m.timestamp());
      runOnEventThread(() -> deliver(message), EventQueue.Kind.ORDINARY, "TopicMessage");
    } else if (frame instanceof Frame.Direct d) {
      post(new DirectMessage(d.fromPeerId(), d.data(), d.timestamp()));
    } else if (frame instanceof Frame.Signal sig) {
      post(new IncomingSignal(sig.kind(), sig.fromPeerId(), sig.networkName(), sig.data(), sig.timestamp()));
    } else if (frame instanceof Frame.PeerDiscovered p) {
      post(new PeerDiscovered(p.peerId(), p.networkName(), p.data().isJsonObject() ? p.data().getAsJsonObject() : new JsonObject()));
    } else if (frame instanceof Frame.PeerDisconnected p) {
      post(new PeerLeft(p.peerId(), p.networkName()));
    }
    // connected, pong and anything else: the timestamp update above is all they are for.
  }

  private void deliver(TopicMessage message) {
    TopicEntry entry = topics.get(message.topic());
    if (entry != null) {
      entry.deliver(message);
    }
  }

  @Override
  public void onPong(HubSocket s) {
    lastInboundNanos = options.ticker().getAsLong();
  }

  @Override
  public void onTransportError(HubSocket s, Exception error) {
    runOnEventThread(
        () -> options.errorListener().transportError(this, error), EventQueue.Kind.ORDINARY, "transportError report");
  }

  // =========================================================================== requests

  /**
   * Ids are {@code <instance>.<counter>}: the hub drops a publish whose id it saw from the same
   * peer id within its dedupe window, so a restarted application reusing its peer id must not
   * reuse ids. The random instance part makes that collision practically impossible.
   */
  private Request newRequest(String type) {
    return new Request(idPrefix + Long.toString(requestIds.incrementAndGet(), 36), type);
  }

  /** Sends a frame the client makes itself while connecting; bypasses the user bound. */
  private void sendInternalLocked(HubSocket s, Frame frame, Request r) {
    pending.addInternal(r);
    // If the socket is already closing, the request stays pending: onClosed for this socket is
    // still to come (it runs under this lock) and fails it outside the lock, as futures must be.
    s.trySend(CODEC.encode(frame));
    r.setTimeout(schedule(() -> onRequestTimeout(r), options.requestTimeout()));
  }

  private Request subscribeLocked(HubSocket s, TopicEntry entry) {
    Request r = newRequest("subscribe");
    r.future.whenComplete(
        (ok, error) -> {
          if (error == null) {
            entry.ready.complete(null);
          } else if (error instanceof HubRequestException) {
            entry.ready.completeExceptionally(error);
          }
          // Lost or timed out: the next connection subscribes again.
        });
    sendInternalLocked(s, new Frame.Subscribe(r.id, entry.topic), r);
    return r;
  }

  /**
   * Sends now when connected, else buffers; fails fast (through the future) when the pending map
   * or the buffer is full. The timeout runs from here, whether sent or buffered.
   */
  private CompletableFuture<JsonElement> request(String type, Function<String, Frame> frameWithId) {
    Request r = newRequest(type);
    String text = CODEC.encode(frameWithId.apply(r.id));
    Throwable refused = submit(text, r);
    if (refused != null) {
      r.future.completeExceptionally(refused);
    }
    return r.future;
  }

  /** Returns why {@code text} was refused, or null when it was sent or buffered. */
  private Throwable submit(String text, Request r) {
    if (text.length() > CODEC.limits().maxFrameChars()) {
      return new HubClientException(
          "frame of " + text.length() + " characters exceeds the hub's " + CODEC.limits().maxFrameChars());
    }
    lock.lock();
    try {
      if (state == ConnectionState.CLOSED) {
        return new ClientClosedException();
      }
      boolean sent = false;
      if (state == ConnectionState.CONNECTED && socket != null) {
        if (r != null && !pending.add(r)) {
          return pendingFull();
        }
        sent = socket.trySend(text);
        if (!sent && r != null) {
          pending.remove(r); // closing under us: keep it for the next connection instead
        }
      }
      if (!sent && !buffer.offer(new OutgoingBuffer.Entry(text, OutgoingBuffer.utf8Length(text), r))) {
        return new BufferFullException(
            "outgoing buffer full while disconnected ("
                + buffer.size() + " frames, " + buffer.bytes() + " bytes; limits "
                + options.maxBufferedFrames() + " frames, " + options.maxBufferedBytes() + " bytes)");
      }
      if (r != null) {
        r.setTimeout(schedule(() -> onRequestTimeout(r), options.requestTimeout()));
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  private BufferFullException pendingFull() {
    return new BufferFullException(
        "too many requests awaiting an answer (limit " + options.maxPendingRequests() + ")");
  }

  private void onRequestTimeout(Request r) {
    if (r.future.completeExceptionally(new RequestTimeoutException(r.type, options.requestTimeout()))) {
      pending.remove(r);
      lock.lock();
      try {
        buffer.remove(r);
      } finally {
        lock.unlock();
      }
    }
  }

  private static CompletableFuture<Void> toVoid(CompletableFuture<JsonElement> f) {
    return f.thenApply(ignored -> null);
  }

  // =========================================================================== public operations

  @Override
  public CompletableFuture<Void> announce(JsonObject data) {
    JsonObject copy = Objects.requireNonNull(data, "data").deepCopy();
    CompletableFuture<Void> later;
    lock.lock();
    try {
      if (state == ConnectionState.CLOSED) {
        return CompletableFuture.failedFuture(new ClientClosedException());
      }
      announceData = copy;
      if (state != ConnectionState.CONNECTED) {
        // Announced by the next connect, which is what the caller waits for.
        later = connectWaiters == null ? CompletableFuture.completedFuture(null) : connectWaiters.copy();
        return later;
      }
    } finally {
      lock.unlock();
    }
    return toVoid(request("announce", id -> new Frame.Announce(id, options.networkName(), copy.deepCopy())));
  }

  @Override
  public CompletableFuture<Void> sendSignal(SignalKind kind, String targetPeerId, JsonElement data) {
    Objects.requireNonNull(kind, "kind");
    String target = peer(targetPeerId);
    return toVoid(
        request(
            kind.wireType(),
            id -> new Frame.Signal(kind, id, null, target, options.networkName(), orNull(data), 0)));
  }

  @Override
  public Subscription subscribe(String topic, String name, Consumer<? super TopicMessage> listener) {
    String t = topic(topic);
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      if (state == ConnectionState.CLOSED) {
        throw new ClientClosedException();
      }
      TopicEntry entry = topics.get(t);
      boolean fresh = entry == null;
      if (fresh) {
        entry = new TopicEntry(t, topicBus(t));
      }
      ListenerHandle handle;
      try {
        handle = entry.listeners.subscribe(TopicMessage.class, name, listener);
      } catch (RuntimeException e) {
        if (fresh) {
          entry.listeners.close();
        }
        throw e;
      }
      if (fresh) {
        topics.put(t, entry);
        if (socket != null && topicsSent) {
          subscribeLocked(socket, entry);
        }
      }
      return new SubscriptionHandle(entry, handle, this::onSubscriptionClosed);
    } finally {
      lock.unlock();
    }
  }

  /** The last subscription of a topic closed: forget the topic and tell the hub. */
  private void onSubscriptionClosed(TopicEntry entry) {
    lock.lock();
    try {
      if (topics.get(entry.topic) != entry || entry.hasListeners()) {
        return;
      }
      topics.remove(entry.topic);
      entry.listeners.close();
      if (socket != null && topicsSent) {
        Request r = newRequest("unsubscribe");
        sendInternalLocked(socket, new Frame.Unsubscribe(r.id, entry.topic), r);
      }
    } finally {
      lock.unlock();
    }
  }

  private EventBus topicBus(String topic) {
    return EventBus.builder()
        .name("topic " + topic)
        .maxListenersPerType(options.maxListenersPerType())
        .errorHandler(this::listenerFailed)
        .build();
  }

  @Override
  public CompletableFuture<Void> publish(String topic, JsonElement data) {
    String t = topic(topic);
    return toVoid(request("publish", id -> new Frame.Publish(id, t, orNull(data))));
  }

  @Override
  public boolean publishAndForget(String topic, JsonElement data) {
    String t = topic(topic);
    return submit(CODEC.encode(new Frame.Publish(null, t, orNull(data))), null) == null;
  }

  @Override
  public CompletableFuture<Void> sendDirect(String targetPeerId, JsonElement data) {
    String target = peer(targetPeerId);
    return toVoid(request("direct", id -> new Frame.Direct(id, null, target, orNull(data), 0)));
  }

  @Override
  public CompletableFuture<Presence> presence(String networkName) {
    try {
      Validation.networkName(Objects.requireNonNull(networkName, "networkName"));
    } catch (ProtocolException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return request("presence", id -> new Frame.Presence(id, networkName, null)).thenApply(PresenceParser::parse);
  }

  @Override
  public CompletableFuture<Presence> topicPresence(String topic) {
    String t = topic(topic);
    return request("presence", id -> new Frame.Presence(id, null, t)).thenApply(PresenceParser::parse);
  }

  private static String topic(String topic) {
    try {
      return Validation.topic(Objects.requireNonNull(topic, "topic"));
    } catch (ProtocolException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String peer(String peerId) {
    if (!PeerIds.isValid(peerId)) {
      throw new IllegalArgumentException("target peer id must be 40 hexadecimal characters, got " + peerId);
    }
    return peerId;
  }

  private static JsonElement orNull(JsonElement data) {
    return data == null ? JsonNull.INSTANCE : data;
  }

  // =========================================================================== listeners

  @Override
  public ListenerHandle onPeerDiscovered(String name, Consumer<? super PeerDiscovered> listener) {
    return bus.subscribe(PeerDiscovered.class, name, listener);
  }

  @Override
  public ListenerHandle onPeerLeft(String name, Consumer<? super PeerLeft> listener) {
    return bus.subscribe(PeerLeft.class, name, listener);
  }

  @Override
  public ListenerHandle onDirectMessage(String name, Consumer<? super DirectMessage> listener) {
    return bus.subscribe(DirectMessage.class, name, listener);
  }

  @Override
  public ListenerHandle onSignal(String name, Consumer<? super IncomingSignal> listener) {
    return bus.subscribe(IncomingSignal.class, name, listener);
  }

  @Override
  public ListenerHandle onError(String name, Consumer<? super HubError> listener) {
    return bus.subscribe(HubError.class, name, listener);
  }

  @Override
  public ListenerHandle onStateChange(String name, Consumer<? super StateChange> listener) {
    List<ListenerHandle> handles = new ArrayList<>(STATE_EVENTS.size());
    try {
      for (Class<? extends StateChange> type : STATE_EVENTS) {
        handles.add(bus.subscribe(type, name, listener));
      }
    } catch (RuntimeException e) {
      handles.forEach(ListenerHandle::close);
      throw e;
    }
    return new CompositeHandle(name, StateChange.class, handles);
  }

  @Override
  public <E> ListenerHandle on(Class<E> eventType, String name, Consumer<? super E> listener) {
    return bus.subscribe(eventType, name, listener);
  }

  private void listenerFailed(String listenerName, Object event, Throwable error) {
    try {
      options.errorListener().listenerFailed(this, listenerName, event, error);
    } catch (RuntimeException ignored) {
      // an error listener that throws has nowhere left to report to
    }
  }

  /**
   * Delivers {@code event} to bus listeners on the event thread; dropped once closed, or when the
   * event queue is full (state changes last, see {@link EventQueue}).
   */
  private void post(Object event) {
    EventQueue.Kind kind =
        event instanceof StateChange.Closed
            ? EventQueue.Kind.FINAL
            : event instanceof StateChange ? EventQueue.Kind.LIFECYCLE : EventQueue.Kind.ORDINARY;
    runOnEventThread(() -> bus.publish(event), kind, event.getClass().getSimpleName());
  }

  /** Runs a listener delivery on the event thread, unless the queue refuses it (counted there). */
  private void runOnEventThread(Runnable task, EventQueue.Kind kind, String what) {
    eventQueue.offer(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            listenerFailed("error-listener", task, e);
          }
        },
        kind,
        what);
  }

  /** On the event thread, once per overflow episode. */
  private void eventQueueFull(EventQueueFullException error) {
    try {
      options.errorListener().eventQueueFull(this, error);
    } catch (RuntimeException e) {
      listenerFailed("error-listener", error, e);
    }
  }

  private Future<?> schedule(Runnable task, Duration delay) {
    return events.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void cancel(Future<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  // =========================================================================== introspection

  @Override
  public int pendingRequests() {
    return pending.size();
  }

  @Override
  public int bufferedFrames() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Set<String> topics() {
    return Set.copyOf(topics.keySet());
  }

  @Override
  public int queuedEvents() {
    return eventQueue.queued();
  }

  @Override
  public long droppedEvents() {
    return eventQueue.dropped();
  }

  @Override
  public String toString() {
    return "HubClient[" + peerId + ", " + state + "]";
  }
}
