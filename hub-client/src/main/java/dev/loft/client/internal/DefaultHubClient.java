package dev.loft.client.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.loft.bus.ListenerHandle;
import dev.loft.client.ConnectionState;
import dev.loft.client.DirectMessage;
import dev.loft.client.HubClient;
import dev.loft.client.HubClientOptions;
import dev.loft.client.HubError;
import dev.loft.client.IncomingSignal;
import dev.loft.client.PeerDiscovered;
import dev.loft.client.PeerLeft;
import dev.loft.client.Presence;
import dev.loft.client.StateChange;
import dev.loft.client.Subscription;
import dev.loft.client.TopicMessage;
import dev.loft.protocol.Frame;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.ProtocolException;
import dev.loft.protocol.SignalKind;
import dev.loft.protocol.Validation;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@link HubClient}: checks arguments, builds frames, and hands the work to its parts.
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li>{@link Connection}: the connection state machine, guarded by one lock. The same lock
 *       guards {@link Outbound} (what is sent at once or buffered) and {@link TopicMembership}
 *       (which topics the hub is told), since both depend on the state.
 *   <li>{@link PendingRequests}: requests awaiting an answer, their ids, timeouts and futures.
 *   <li>{@link InboundDispatcher}: decoding what the hub sends and routing it to request futures
 *       or, through the bounded event queue, to listeners.
 *   <li>{@link EventThread}: the one thread that runs every timer and every listener.
 * </ul>
 * Threads: callers' threads, the socket's read thread (decodes frames, completes request futures)
 * and the event thread. Futures are never completed and listeners never called under the lock.
 */
public final class DefaultHubClient implements HubClient {
  private final HubClientOptions options;
  private final EventThread events;
  private final PendingRequests requests;
  private final InboundDispatcher inbound;
  private final Outbound outbound;
  private final TopicMembership topics;
  private final Connection connection;
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultHubClient(HubClientOptions options) {
    this.options = checkNotNull(options, "options");
    this.events = new EventThread(new ClientThreads(options.peerId(), "events"));
    // The connection's lock; requests are added under it so that their bound is exact.
    ReentrantLock lock = new ReentrantLock();
    this.requests = new PendingRequests(options, events, lock);
    // Membership changes under the lock; delivery only looks topics up, without it.
    ConcurrentHashMap<String, TopicEntry> topicEntries = new ConcurrentHashMap<>();
    this.inbound = new InboundDispatcher(this, options, events, requests, topicEntries::get);
    this.outbound = new Outbound(options, lock, requests);
    this.topics = new TopicMembership(lock, requests, outbound, inbound, topicEntries);
    this.connection = new Connection(options, lock, events, requests, inbound, outbound, topics);
  }

  @Override
  public String peerId() {
    return options.peerId();
  }

  @Override
  public HubClientOptions options() {
    return options;
  }

  @Override
  public ConnectionState state() {
    return connection.state();
  }

  @Override
  public CompletableFuture<Void> connect() {
    return connection.connect();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connection.close();
    inbound.closeAfterQueued();
    events.shutdown(options.closeTimeout());
  }

  // =========================================================================== requests

  /**
   * Sends now when connected, else buffers; fails fast (through the future) when the pending map
   * or the buffer is full.
   */
  private CompletableFuture<JsonElement> request(String type, Function<String, Frame> frameWithId) {
    Request r = requests.newRequest(type);
    Throwable refused = connection.submit(Connection.CODEC.encode(frameWithId.apply(r.id)), r);
    if (refused != null) {
      r.future.completeExceptionally(refused);
    }
    return r.future;
  }

  private static CompletableFuture<Void> toVoid(CompletableFuture<JsonElement> f) {
    return f.thenApply(ignored -> null);
  }

  @Override
  public CompletableFuture<Void> announce(JsonObject data) {
    JsonObject copy = checkNotNull(data, "data").deepCopy();
    CompletableFuture<Void> later = connection.announceData(copy);
    if (later != null) {
      return later; // announced by the next connect, which is what the caller waits for
    }
    return toVoid(request("announce", id -> new Frame.Announce(id, options.networkName(), copy.deepCopy())));
  }

  @Override
  public CompletableFuture<Void> sendSignal(SignalKind kind, String targetPeerId, JsonElement data) {
    checkNotNull(kind, "kind");
    String target = peer(targetPeerId);
    return toVoid(
        request(
            kind.wireType(),
            id -> new Frame.Signal(kind, id, null, target, options.networkName(), orNull(data), 0)));
  }

  @Override
  public Subscription subscribe(String topic, String name, Consumer<? super TopicMessage> listener) {
    String t = topic(topic);
    checkNotNull(name, "name");
    checkNotNull(listener, "listener");
    return topics.subscribe(t, name, listener);
  }

  @Override
  public CompletableFuture<Void> publish(String topic, JsonElement data) {
    String t = topic(topic);
    return toVoid(request("publish", id -> new Frame.Publish(id, t, orNull(data))));
  }

  @Override
  public boolean publishAndForget(String topic, JsonElement data) {
    String t = topic(topic);
    return connection.submit(Connection.CODEC.encode(new Frame.Publish(null, t, orNull(data))), null) == null;
  }

  @Override
  public CompletableFuture<Void> sendDirect(String targetPeerId, JsonElement data) {
    String target = peer(targetPeerId);
    return toVoid(request("direct", id -> new Frame.Direct(id, null, target, orNull(data), 0)));
  }

  @Override
  public CompletableFuture<Presence> presence(String networkName) {
    try {
      Validation.networkName(checkNotNull(networkName, "networkName"));
    } catch (ProtocolException e) {
      throw new IllegalArgumentException(e.getMessage() + ", got " + networkName, e);
    }
    return request("presence", id -> new Frame.Presence(id, networkName, null)).thenApply(PresenceParser::parse);
  }

  @Override
  public CompletableFuture<Presence> topicPresence(String topic) {
    String t = topic(topic);
    return request("presence", id -> new Frame.Presence(id, null, t)).thenApply(PresenceParser::parse);
  }

  /** The protocol's own check, so the client refuses exactly what the hub would. */
  private static String topic(String topic) {
    try {
      return Validation.topic(checkNotNull(topic, "topic"));
    } catch (ProtocolException e) {
      throw new IllegalArgumentException(e.getMessage() + ", got " + topic, e);
    }
  }

  private static String peer(String peerId) {
    checkArgument(PeerIds.isValid(peerId), "targetPeerId must be 40 hexadecimal characters, got %s", peerId);
    return peerId;
  }

  private static JsonElement orNull(JsonElement data) {
    return data == null ? JsonNull.INSTANCE : data;
  }

  // =========================================================================== listeners

  @Override
  public ListenerHandle onPeerDiscovered(String name, Consumer<? super PeerDiscovered> listener) {
    return inbound.on(PeerDiscovered.class, name, listener);
  }

  @Override
  public ListenerHandle onPeerLeft(String name, Consumer<? super PeerLeft> listener) {
    return inbound.on(PeerLeft.class, name, listener);
  }

  @Override
  public ListenerHandle onDirectMessage(String name, Consumer<? super DirectMessage> listener) {
    return inbound.on(DirectMessage.class, name, listener);
  }

  @Override
  public ListenerHandle onSignal(String name, Consumer<? super IncomingSignal> listener) {
    return inbound.on(IncomingSignal.class, name, listener);
  }

  @Override
  public ListenerHandle onError(String name, Consumer<? super HubError> listener) {
    return inbound.on(HubError.class, name, listener);
  }

  @Override
  public ListenerHandle onStateChange(String name, Consumer<? super StateChange> listener) {
    return inbound.onStateChange(name, listener);
  }

  @Override
  public <E> ListenerHandle on(Class<E> eventType, String name, Consumer<? super E> listener) {
    return inbound.on(eventType, name, listener);
  }

  // =========================================================================== introspection

  @Override
  public int pendingRequests() {
    return requests.size();
  }

  @Override
  public int bufferedFrames() {
    return outbound.bufferedFrames();
  }

  @Override
  public Set<String> topics() {
    return topics.names();
  }

  @Override
  public int queuedEvents() {
    return inbound.queuedEvents();
  }

  @Override
  public long droppedEvents() {
    return inbound.droppedEvents();
  }

  /** Timers and deliveries waiting for the event thread; for tests of what outlives a request. */
  int waitingTasks() {
    return events.waitingTasks();
  }

  @Override
  public String toString() {
    return "HubClient[" + options.peerId() + ", " + connection.state() + "]";
  }
}
