package dev.loft.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Objects;

/**
 * The typed model of every frame on the wire. Each record's {@link #type()} is its wire
 * {@code type}. {@code data} fields hold free-form JSON that the hub relays without looking inside.
 *
 * <p>Client-to-hub frames may carry a client-chosen {@code id}: the hub then answers with an
 * {@link Ack} or an {@link ErrorFrame} carrying the same id. Hub-stamped fields ({@code fromPeerId},
 * {@code timestamp}) are ignored when a client sends them. See docs/protocol.md.
 */
public sealed interface Frame {

  /** The wire {@code type} of this frame. */
  String type();

  // ---------------------------------------------------------------- PeerPigeon signaling

  /** {@code announce}: join {@code networkName} and be discovered; {@code data} is passed on. */
  /** {@code data} is an object: a tree, or (decoded by the hub's codec) {@link RawJson} text. */
  record Announce(String id, String networkName, JsonElement data) implements Frame {
    public Announce {
      networkName = networkName == null ? ProtocolLimits.DEFAULT_NETWORK : networkName;
      data = data == null ? new JsonObject() : data;
    }

    @Override
    public String type() {
      return FrameTypes.ANNOUNCE;
    }
  }

  /**
   * {@code offer}, {@code answer} or {@code ice-candidate}: from a client it names the target; as
   * delivered by the hub it also carries the stamped sender, network and time.
   */
  record Signal(
      SignalKind kind,
      String id,
      String fromPeerId,
      String targetPeerId,
      String networkName,
      JsonElement data,
      long timestamp)
      implements Frame {
    public Signal {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(targetPeerId, "targetPeerId");
    }

    @Override
    public String type() {
      return kind.wireType();
    }

    /** This signal as the hub delivers it: sender and time stamped by the hub, no request id. */
    public Signal stamped(String from, String network, long now) {
      return new Signal(kind, null, from, targetPeerId, network, data, now);
    }
  }

  /**
   * {@code goodbye}: leave the network; the socket stays open. The hub relays it to the rest of the
   * network with the sender and time stamped, because that (not {@code peer-disconnected}) is what
   * PeerPigeon's client acts on.
   */
  record Goodbye(String id, String fromPeerId, String networkName, JsonElement data, long timestamp)
      implements Frame {
    /** A goodbye as a client sends it. */
    public Goodbye(String id, String networkName, JsonElement data) {
      this(id, null, networkName, data, 0);
    }

    /** This goodbye as the hub relays it: sender and time stamped, no request id. */
    public Goodbye stamped(String from, String network, long now) {
      return new Goodbye(null, from, network, data, now);
    }

    @Override
    public String type() {
      return FrameTypes.GOODBYE;
    }
  }

  /** {@code ping}: answered by {@link Pong}. */
  record Ping(JsonElement data) implements Frame {
    @Override
    public String type() {
      return FrameTypes.PING;
    }
  }

  /** {@code cleanup}: sent by PeerPigeon clients; accepted and ignored, as PeerPigeon's hub does. */
  record Cleanup(JsonElement data) implements Frame {
    @Override
    public String type() {
      return FrameTypes.CLEANUP;
    }
  }

  /** {@code connected}: the hub's greeting after the handshake. */
  record Connected(String peerId, long timestamp) implements Frame {
    public Connected {
      Objects.requireNonNull(peerId, "peerId");
    }

    @Override
    public String type() {
      return FrameTypes.CONNECTED;
    }
  }

  /**
   * {@code peer-discovered}: {@code data} holds the discovered peer's announce data plus
   * {@code peerId} and {@code isHub:false}; {@code targetPeerId} is the receiver.
   */
  record PeerDiscovered(String targetPeerId, String networkName, JsonElement data, long timestamp)
      implements Frame {
    public PeerDiscovered {
      Objects.requireNonNull(data, "data");
    }

    /** The peer this frame announces (null for data the hub sends as {@link RawJson}). */
    public String peerId() {
      if (!data.isJsonObject()) {
        return null;
      }
      JsonElement id = data.getAsJsonObject().get("peerId");
      return id != null && id.isJsonPrimitive() ? id.getAsString() : null;
    }

    @Override
    public String type() {
      return FrameTypes.PEER_DISCOVERED;
    }
  }

  /** {@code peer-disconnected}: {@code peerId} left {@code networkName}. */
  record PeerDisconnected(String peerId, String networkName, long timestamp) implements Frame {
    public PeerDisconnected {
      Objects.requireNonNull(peerId, "peerId");
    }

    @Override
    public String type() {
      return FrameTypes.PEER_DISCONNECTED;
    }
  }

  /** {@code pong}: the answer to {@link Ping}; {@code targetPeerId} is the pinging peer. */
  record Pong(String targetPeerId, long timestamp) implements Frame {
    @Override
    public String type() {
      return FrameTypes.PONG;
    }
  }

  /**
   * {@code error}: {@code code} is an {@link ErrorCode} name, {@code message} (wire field
   * {@code error}, as in PeerPigeon) is for people, {@code id} correlates a request.
   */
  record ErrorFrame(String id, String code, String message, long timestamp) implements Frame {
    public ErrorFrame {
      Objects.requireNonNull(code, "code");
      message = message == null ? code : message;
    }

    public ErrorFrame(String id, ErrorCode code, String message, long timestamp) {
      this(id, code.name(), message, timestamp);
    }

    @Override
    public String type() {
      return FrameTypes.ERROR;
    }
  }

  // ---------------------------------------------------------------- Loft extensions

  /** {@code subscribe}: receive every {@link TopicMessage} published to {@code topic}. */
  record Subscribe(String id, String topic) implements Frame {
    public Subscribe {
      Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String type() {
      return FrameTypes.SUBSCRIBE;
    }
  }

  /** {@code unsubscribe}: stop receiving {@code topic}. */
  record Unsubscribe(String id, String topic) implements Frame {
    public Unsubscribe {
      Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String type() {
      return FrameTypes.UNSUBSCRIBE;
    }
  }

  /** {@code publish}: deliver {@code data} to every subscriber of {@code topic} (not the sender). */
  record Publish(String id, String topic, JsonElement data) implements Frame {
    public Publish {
      Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String type() {
      return FrameTypes.PUBLISH;
    }
  }

  /** {@code message}: a publication delivered to a subscriber, sender stamped by the hub. */
  record TopicMessage(String topic, String fromPeerId, JsonElement data, long timestamp)
      implements Frame {
    public TopicMessage {
      Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String type() {
      return FrameTypes.MESSAGE;
    }
  }

  /**
   * {@code direct}: a message to one peer in the sender's network. As delivered it carries the
   * stamped sender and time and no request id.
   */
  record Direct(String id, String fromPeerId, String targetPeerId, JsonElement data, long timestamp)
      implements Frame {
    public Direct {
      Objects.requireNonNull(targetPeerId, "targetPeerId");
    }

    public Direct stamped(String from, long now) {
      return new Direct(null, from, targetPeerId, data, now);
    }

    @Override
    public String type() {
      return FrameTypes.DIRECT;
    }
  }

  /**
   * {@code presence}: who is in {@code networkName} or subscribed to {@code topic} (exactly one of
   * the two). Answered by an {@link Ack} whose data is {@code {peers:[…], count, truncated}}.
   */
  record Presence(String id, String networkName, String topic) implements Frame {
    @Override
    public String type() {
      return FrameTypes.PRESENCE;
    }
  }

  /** {@code ack}: the request with this {@code id} succeeded; {@code data} holds any result. */
  record Ack(String id, JsonElement data, long timestamp) implements Frame {
    public Ack {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public String type() {
      return FrameTypes.ACK;
    }
  }
}
