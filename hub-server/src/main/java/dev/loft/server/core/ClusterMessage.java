package dev.loft.server.core;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One message between hubs, as bytes on a broker channel: a kind, the origin hub's id, a few
 * strings and an opaque payload (usually a frame's UTF-8 text, encoded once by the origin and sent
 * to peers as it is). Binary and length-prefixed, so nothing in a peer's text can be mistaken for
 * structure.
 *
 * <pre>
 * byte kind (1 + its ordinal) | u16 field count | (u16 length, UTF-8 bytes) x count | payload (the rest)
 * </pre>
 * The origin is the first field. No message starts with a NUL byte: those are the Redis link's
 * own probes on the node channel.
 */
record ClusterMessage(Kind kind, String origin, List<String> fields, byte[] payload) {
  /** What a message asks of the hubs that receive it. */
  enum Kind {
    /** On a topic channel: payload = the message frame; fields: sender id. */
    TOPIC,
    /** On a network channel: payload = a frame for every member; fields: network, excepted peer id. */
    NETWORK,
    /** On the heartbeat channel: a peer announced; fields: network, peer id, announce data, discovery quota, connected-at ms. */
    JOIN,
    /** On a node channel: the origin holds this peer id in this network since earlier; fields: network, peer id. */
    DUPLICATE,
    /** On a network channel: a peer left; fields: network, peer id; payload = peer-disconnected. */
    LEAVE,
    /** On a node channel: payload = a frame for one peer; fields: network, peer id. */
    TO_PEER,
    /** On a node channel: one of the origin's members for our newcomer; fields: network, newcomer, member id, its data, connected-at ms. */
    INTRODUCE,
    /** On the heartbeat channel (every hub follows it): "who is in this network?"; fields: network. */
    SYNC_REQUEST,
    /** On a node channel, or a network channel after a reconnect: who is here; fields: network, (peer id, data, connected-at ms) triples. */
    SYNC,
    /** On the heartbeat channel: who subscribes to a topic on your hub?; fields: topic, request id, limit. */
    PRESENCE_REQUEST,
    /** On a node channel: an answer to PRESENCE_REQUEST; fields: request id, count, peer ids... */
    PRESENCE_REPLY,
    /** On the heartbeat channel: an operator's kick; the hub holding the peer closes it; fields: peer id. */
    KICK,
    /** On the heartbeat channel: the origin lives; no fields. */
    HEARTBEAT,
    /** On the heartbeat channel: the origin is stopping; its peers are gone. */
    BYE
  }

  private static final Kind[] KINDS = Kind.values();

  ClusterMessage {
    checkArgument(fields.size() <= 0xFFFF, "too many fields");
  }

  /** A message; a null field is sent as the empty string (no sender: the admin API's publish). */
  static ClusterMessage of(Kind kind, String origin, byte[] payload, String... fields) {
    List<String> values = new ArrayList<>(fields.length);
    for (String f : fields) {
      values.add(f == null ? "" : f);
    }
    return new ClusterMessage(kind, origin, List.copyOf(values), payload == null ? new byte[0] : payload);
  }

  String field(int i) {
    return fields.get(i);
  }

  byte[] encode() {
    byte[][] encoded = new byte[fields.size() + 1][];
    int size = 1 + 2 + payload.length;
    encoded[0] = origin.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < fields.size(); i++) {
      encoded[i + 1] = fields.get(i).getBytes(StandardCharsets.UTF_8);
    }
    for (byte[] f : encoded) {
      checkArgument(f.length <= 0xFFFF, "field longer than 65535 bytes");
      size += 2 + f.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) (kind.ordinal() + 1));
    out.putShort((short) encoded.length);
    for (byte[] f : encoded) {
      out.putShort((short) f.length);
      out.put(f);
    }
    out.put(payload);
    return out.array();
  }

  /** Reads a message; throws {@link IllegalArgumentException} for bytes that are not one. */
  static ClusterMessage decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      int kind = (in.get() & 0xFF) - 1;
      checkArgument(kind >= 0 && kind < KINDS.length, "unknown kind %s", kind + 1);
      int count = in.getShort() & 0xFFFF;
      checkArgument(count >= 1, "no origin");
      List<String> fields = new ArrayList<>(count - 1);
      String origin = null;
      for (int i = 0; i < count; i++) {
        int length = in.getShort() & 0xFFFF;
        checkArgument(length <= in.remaining(), "field past the end");
        String value = new String(bytes, in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        if (i == 0) {
          origin = value;
        } else {
          fields.add(value);
        }
      }
      byte[] payload = new byte[in.remaining()];
      in.get(payload);
      return new ClusterMessage(KINDS[kind], origin, fields, payload);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated cluster message", e);
    }
  }
}
