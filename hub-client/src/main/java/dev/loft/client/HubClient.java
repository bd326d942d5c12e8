package dev.loft.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loft.bus.ListenerHandle;
import dev.loft.protocol.SignalKind;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A peer's connection to a Loft hub: one WebSocket at a time, reconnected with backoff, with
 * announce and topic subscriptions restored on every reconnect. Create with {@link HubClients}.
 *
 * <h2>Futures</h2>
 * Requests ({@link #publish}, {@link #sendDirect}, signals, {@link #presence}, {@link #announce})
 * return futures that complete on the hub's {@code ack} and fail with {@link HubRequestException}
 * (hub's {@code error}), {@link RequestTimeoutException}, {@link ConnectionLostException} (sent,
 * then the connection dropped), {@link ClientClosedException}, or — at once, for back-pressure —
 * {@link BufferFullException}. None of these methods throws for any of those reasons; they throw
 * only {@link IllegalArgumentException} for arguments that can never be sent (bad topic or peer
 * id). Futures complete on the socket's read thread or the client's event thread: chain heavy work
 * with the {@code *Async} variants.
 *
 * <h2>While disconnected</h2>
 * Requests made while not connected are held in a bounded buffer and sent, in call order, right
 * after the next connection is announced and re-subscribed. Their timeout runs from the call.
 *
 * <h2>Listeners</h2>
 * Every listener runs on the client's single event thread, in the order events arrived, never while
 * the client holds its lock. A listener must not block on this client's {@link #connect()} future
 * (that future is completed on the same thread); waiting on request futures is allowed but slows
 * every other listener. A listener that throws is reported to {@link ErrorListener#listenerFailed}.
 * At most {@link HubClientOptions#maxQueuedEvents()} events wait for slow listeners; past that,
 * events are dropped, counted ({@link #droppedEvents()}) and reported once to {@link
 * ErrorListener#eventQueueFull}, rather than growing the heap.
 */
public interface HubClient extends AutoCloseable {

  String peerId();

  HubClientOptions options();

  ConnectionState state();

  /**
   * Connects if not connected or connecting. Completes when announced and every active topic is
   * re-subscribed. Concurrent calls share one attempt (one socket). While waiting to reconnect it
   * skips the remaining delay. Fails when the reconnect policy gives up or the client is closed.
   */
  CompletableFuture<Void> connect();

  /**
   * Closes the connection (close code 1000), cancels every timer, fails every pending and buffered
   * request with {@link ClientClosedException}, removes every listener and stops every thread this
   * client started. Waits up to {@link HubClientOptions#closeTimeout()} for the socket to close.
   * Idempotent; never throws.
   */
  @Override
  void close();

  // ------------------------------------------------------------------ PeerPigeon signaling

  /**
   * Replaces the announce data (used on every later reconnect too) and announces it now when
   * connected. When not connected the future completes with the next successful connect, or at
   * once if no connect is under way.
   */
  CompletableFuture<Void> announce(JsonObject data);

  CompletableFuture<Void> sendSignal(SignalKind kind, String targetPeerId, JsonElement data);

  default CompletableFuture<Void> sendOffer(String targetPeerId, JsonElement data) {
    return sendSignal(SignalKind.OFFER, targetPeerId, data);
  }

  default CompletableFuture<Void> sendAnswer(String targetPeerId, JsonElement data) {
    return sendSignal(SignalKind.ANSWER, targetPeerId, data);
  }

  default CompletableFuture<Void> sendIceCandidate(String targetPeerId, JsonElement data) {
    return sendSignal(SignalKind.ICE_CANDIDATE, targetPeerId, data);
  }

  // ------------------------------------------------------------------ messaging

  /**
   * Subscribes {@code listener} to {@code topic} under {@code name} (unique per topic). The first
   * subscription of a topic sends {@code subscribe} (now, or on the next connect); closing the
   * last one sends {@code unsubscribe}. Publications are not echoed to their publisher.
   *
   * @throws IllegalArgumentException for a bad topic, or a name already used on this topic
   * @throws ClientClosedException if the client is closed
   */
  Subscription subscribe(String topic, String name, Consumer<? super TopicMessage> listener);

  /** Publishes to every other subscriber of {@code topic}; completes on the hub's ack. */
  CompletableFuture<Void> publish(String topic, JsonElement data);

  /**
   * Publishes without asking for an ack (no id, no pending entry, no timeout). Returns false —
   * instead of queueing — when the client is closed, the frame is larger than a hub accepts, or,
   * while disconnected, the buffer is full. True means sent or buffered, not delivered.
   */
  boolean publishAndForget(String topic, JsonElement data);

  /** Sends {@code data} to one peer of this client's network. */
  CompletableFuture<Void> sendDirect(String targetPeerId, JsonElement data);

  /** Who is in {@code networkName}. */
  CompletableFuture<Presence> presence(String networkName);

  /** Who is subscribed to {@code topic}. */
  CompletableFuture<Presence> topicPresence(String topic);

  // ------------------------------------------------------------------ listeners

  ListenerHandle onPeerDiscovered(String name, Consumer<? super PeerDiscovered> listener);

  ListenerHandle onPeerLeft(String name, Consumer<? super PeerLeft> listener);

  ListenerHandle onDirectMessage(String name, Consumer<? super DirectMessage> listener);

  ListenerHandle onSignal(String name, Consumer<? super IncomingSignal> listener);

  /** Hub {@code error} frames that answer no request. */
  ListenerHandle onError(String name, Consumer<? super HubError> listener);

  /** Every {@link StateChange}; the handle removes the listener from all of them. */
  ListenerHandle onStateChange(String name, Consumer<? super StateChange> listener);

  /** Any one event type of this client ({@link StateChange} records included). */
  <E> ListenerHandle on(Class<E> eventType, String name, Consumer<? super E> listener);

  // ------------------------------------------------------------------ introspection

  /** Requests sent on the current connection and not yet answered. */
  int pendingRequests();

  /** Frames held for sending after the next connect. */
  int bufferedFrames();

  /** Topics with at least one open subscription. */
  Set<String> topics();

  /**
   * Events waiting for the event thread: at most {@link HubClientOptions#maxQueuedEvents()}, plus a
   * small reserve for state changes and the overflow report.
   */
  int queuedEvents();

  /** Events dropped since creation because too many were waiting (listeners too slow). */
  long droppedEvents();
}
