package dev.loft.client.internal;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.loft.bus.EventBus;
import dev.loft.bus.ListenerHandle;
import dev.loft.client.DirectMessage;
import dev.loft.client.ErrorListener;
import dev.loft.client.EventQueueFullException;
import dev.loft.client.HubClient;
import dev.loft.client.HubClientOptions;
import dev.loft.client.HubError;
import dev.loft.client.HubRequestException;
import dev.loft.client.IncomingSignal;
import dev.loft.client.PeerDiscovered;
import dev.loft.client.PeerLeft;
import dev.loft.client.StateChange;
import dev.loft.client.TopicMessage;
import dev.loft.protocol.Frame;
import dev.loft.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Inbound dispatch: decodes what the hub sends and routes it. Answers go to {@link
 * PendingRequests}; everything else becomes an event for the client's listeners, delivered on the
 * {@link EventThread} through {@link #eventQueue}, which bounds how many wait for it.
 *
 * <p>Threads: frames are decoded on the socket's read thread, which also completes request
 * futures. Events are posted from that thread, from threads holding the connection lock and from
 * {@code close()}; posting is lock-free and never runs a listener on the posting thread.
 */
final class InboundDispatcher {
  /** StateChange records, for {@link #onStateChange}: the bus dispatches on exact classes. */
  private static final List<Class<? extends StateChange>> STATE_EVENTS =
      List.of(
          StateChange.Connecting.class,
          StateChange.Connected.class,
          StateChange.Disconnected.class,
          StateChange.Reconnecting.class,
          StateChange.GaveUp.class,
          StateChange.Closed.class);

  /** The client as its error listener is told it; reports name the client they are about. */
  private final HubClient client;
  private final ErrorListener errorListener;
  private final int maxListenersPerType;
  private final EventBus bus;
  private final EventThread events;
  /** Admission to {@link #events} for listener deliveries: bounded, drops counted and reported. */
  private final EventQueue eventQueue;
  private final PendingRequests requests;
  /** The subscribed topics' entries; membership belongs to the connection, this only looks up. */
  private final Function<String, TopicEntry> topics;

  InboundDispatcher(
      HubClient client,
      HubClientOptions options,
      EventThread events,
      PendingRequests requests,
      Function<String, TopicEntry> topics) {
    this.client = client;
    this.errorListener = options.errorListener();
    this.maxListenersPerType = options.maxListenersPerType();
    this.events = events;
    this.requests = requests;
    this.topics = topics;
    this.bus = newBus(ClientThreads.PREFIX + options.peerId().substring(0, 8));
    this.eventQueue = new EventQueue(events, options.maxQueuedEvents(), this::eventQueueFull);
  }

  /** On the socket's read thread. */
  void onText(String text) {
    Frame frame;
    try {
      frame = Connection.CODEC.decode(text);
    } catch (ProtocolException e) {
      String why = e.code() + ": " + e.getMessage();
      runOnEventThread(() -> errorListener.badFrame(client, why), EventQueue.Kind.ORDINARY, "badFrame report");
      return;
    }
    if (frame instanceof Frame.Ack ack) {
      requests.answer(ack.id(), ack.data() == null ? JsonNull.INSTANCE : ack.data());
    } else if (frame instanceof Frame.ErrorFrame error) {
      if (!requests.fail(error.id(), () -> new HubRequestException(error.code(), error.message(), error.id()))) {
        HubError event = new HubError(error.code(), error.message(), error.id());
        post(event);
        runOnEventThread(() -> errorListener.hubError(client, event), EventQueue.Kind.ORDINARY, "hubError report");
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
    // connected, pong and anything else: the connection's liveness timestamp is all they are for.
  }

  /** On the event thread; looked up here, not at decoding, so a topic closed meanwhile gets nothing. */
  private void deliver(TopicMessage message) {
    TopicEntry entry = topics.apply(message.topic());
    if (entry != null) {
      entry.deliver(message);
    }
  }

  void onTransportError(Exception error) {
    runOnEventThread(() -> errorListener.transportError(client, error), EventQueue.Kind.ORDINARY, "transportError report");
  }

  // =========================================================================== listeners

  <E> ListenerHandle on(Class<E> eventType, String name, Consumer<? super E> listener) {
    return bus.subscribe(eventType, name, listener);
  }

  ListenerHandle onStateChange(String name, Consumer<? super StateChange> listener) {
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

  /** A topic's own bus, with the same listener cap and failure reporting as the client's. */
  EventBus newTopicBus(String topic) {
    return newBus("topic " + topic);
  }

  private EventBus newBus(String name) {
    return EventBus.builder()
        .name(name)
        .maxListenersPerType(maxListenersPerType)
        .errorHandler(this::listenerFailed)
        .build();
  }

  private void listenerFailed(String listenerName, Object event, Throwable error) {
    try {
      errorListener.listenerFailed(client, listenerName, event, error);
    } catch (RuntimeException ignored) {
      // an error listener that throws has nowhere left to report to
    }
  }

  // =========================================================================== delivery

  /**
   * Delivers {@code event} to bus listeners on the event thread; dropped once closed, or when the
   * event queue is full (state changes last, see {@link EventQueue}).
   */
  void post(Object event) {
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
      errorListener.eventQueueFull(client, error);
    } catch (RuntimeException e) {
      listenerFailed("error-listener", error, e);
    }
  }

  /** Removes every listener once every event already queued (Closed included) is delivered. */
  void closeAfterQueued() {
    try {
      events.execute(bus::close);
    } catch (RejectedExecutionException ignored) {
      bus.close();
    }
  }

  int queuedEvents() {
    return eventQueue.queued();
  }

  long droppedEvents() {
    return eventQueue.dropped();
  }
}
