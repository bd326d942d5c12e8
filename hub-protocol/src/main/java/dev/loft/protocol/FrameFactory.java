package dev.loft.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/** Turns envelope fields into a typed, validated {@link Frame}: one case per wire type. */
final class FrameFactory {
  private FrameFactory() {}

  static Frame build(RawFrame raw) throws ProtocolException {
    if (raw.type == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "type is required");
    }
    String id = raw.id == null ? null : Validation.requestId(raw.id);
    switch (raw.type) {
      case FrameTypes.ANNOUNCE:
        return new Frame.Announce(id, optionalNetwork(raw), announceData(raw.data));
      case FrameTypes.OFFER:
      case FrameTypes.ANSWER:
      case FrameTypes.ICE_CANDIDATE:
        return new Frame.Signal(
            SignalKind.fromWire(raw.type),
            id,
            raw.fromPeerId,
            Validation.peerId(FieldNames.TARGET_PEER_ID, required(raw.targetPeerId, FieldNames.TARGET_PEER_ID)),
            raw.networkName == null ? null : Validation.networkName(raw.networkName),
            raw.data,
            raw.timestamp);
      case FrameTypes.GOODBYE:
        return new Frame.Goodbye(
            id,
            raw.fromPeerId,
            raw.networkName == null ? null : Validation.networkName(raw.networkName),
            raw.data,
            raw.timestamp);
      case FrameTypes.PING:
        return new Frame.Ping(raw.data);
      case FrameTypes.CLEANUP:
        return new Frame.Cleanup(raw.data);
      case FrameTypes.SUBSCRIBE:
        return new Frame.Subscribe(id, requiredTopic(raw));
      case FrameTypes.UNSUBSCRIBE:
        return new Frame.Unsubscribe(id, requiredTopic(raw));
      case FrameTypes.PUBLISH:
        return new Frame.Publish(id, requiredTopic(raw), orNull(raw.data));
      case FrameTypes.DIRECT:
        return new Frame.Direct(
            id,
            raw.fromPeerId,
            Validation.peerId(FieldNames.TARGET_PEER_ID, required(raw.targetPeerId, FieldNames.TARGET_PEER_ID)),
            orNull(raw.data),
            raw.timestamp);
      case FrameTypes.PRESENCE:
        return presence(raw, id);
      case FrameTypes.CONNECTED:
        return new Frame.Connected(
            Validation.peerId(FieldNames.PEER_ID, required(peerIdIn(raw.data), "data.peerId")),
            raw.timestamp);
      case FrameTypes.PEER_DISCOVERED: {
        JsonObject data = optionalObject(raw.data, FieldNames.DATA);
        Validation.peerId("data.peerId", required(peerIdIn(data), "data.peerId"));
        return new Frame.PeerDiscovered(raw.targetPeerId, optionalNetwork(raw), data, raw.timestamp);
      }
      case FrameTypes.PEER_DISCONNECTED:
        return new Frame.PeerDisconnected(
            Validation.peerId("data.peerId", required(peerIdIn(raw.data), "data.peerId")),
            optionalNetwork(raw),
            raw.timestamp);
      case FrameTypes.PONG:
        return new Frame.Pong(raw.targetPeerId, raw.timestamp);
      case FrameTypes.ERROR:
        // PeerPigeon's hub sends errors without a code; they decode as UNSPECIFIED.
        return new Frame.ErrorFrame(
            id, raw.code == null ? "UNSPECIFIED" : raw.code, raw.error, raw.timestamp);
      case FrameTypes.ACK:
        return new Frame.Ack(required(id, FieldNames.ID), orNull(raw.data), raw.timestamp);
      case FrameTypes.MESSAGE:
        return new Frame.TopicMessage(requiredTopic(raw), raw.fromPeerId, orNull(raw.data), raw.timestamp);
      default:
        throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(raw.type) + "'");
    }
  }

  private static Frame presence(RawFrame raw, String id) throws ProtocolException {
    boolean byNetwork = raw.networkName != null;
    boolean byTopic = raw.topic != null;
    if (byNetwork == byTopic) {
      throw new ProtocolException(
          byNetwork ? ErrorCode.BAD_FRAME : ErrorCode.MISSING_FIELD,
          "presence needs exactly one of networkName or topic");
    }
    return byNetwork
        ? new Frame.Presence(id, Validation.networkName(raw.networkName), null)
        : new Frame.Presence(id, null, Validation.topic(raw.topic));
  }

  private static String optionalNetwork(RawFrame raw) throws ProtocolException {
    return raw.networkName == null
        ? ProtocolLimits.DEFAULT_NETWORK
        : Validation.networkName(raw.networkName);
  }

  private static String requiredTopic(RawFrame raw) throws ProtocolException {
    return Validation.topic(required(raw.topic, FieldNames.TOPIC));
  }

  private static String required(String value, String field) throws ProtocolException {
    if (value == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, field + " is required");
    }
    return value;
  }

  /** Announce data stays raw text when it arrived so (the hub checks its size before parsing it). */
  private static JsonElement announceData(JsonElement data) throws ProtocolException {
    if (data instanceof RawJson r && !r.isNull()) {
      if (!r.isObject()) {
        throw new ProtocolException(ErrorCode.BAD_FRAME, FieldNames.DATA + " must be an object");
      }
      return r;
    }
    return optionalObject(data, FieldNames.DATA);
  }

  /** A tree for the frames whose data the codec itself must look into (rare on the hub's path). */
  private static JsonElement tree(JsonElement data) {
    return data instanceof RawJson r ? r.parse() : data;
  }

  private static JsonObject optionalObject(JsonElement raw, String field) throws ProtocolException {
    JsonElement data = tree(raw);
    if (data == null || data.isJsonNull()) {
      return new JsonObject();
    }
    if (!data.isJsonObject()) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, field + " must be an object");
    }
    return data.getAsJsonObject();
  }

  private static String peerIdIn(JsonElement raw) throws ProtocolException {
    JsonElement data = tree(raw);
    if (data == null || !data.isJsonObject()) {
      return null;
    }
    JsonElement id = data.getAsJsonObject().get(FieldNames.PEER_ID);
    if (id == null || id.isJsonNull()) {
      return null;
    }
    if (!id.isJsonPrimitive() || !id.getAsJsonPrimitive().isString()) {
      throw new ProtocolException(ErrorCode.BAD_PEER_ID, "data.peerId must be a string");
    }
    return id.getAsString();
  }

  private static JsonElement orNull(JsonElement data) {
    return data == null ? JsonNull.INSTANCE : data;
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }
}
