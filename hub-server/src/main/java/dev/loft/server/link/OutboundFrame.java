package dev.loft.server.link;

import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import java.nio.ByteBuffer;

/**
 * A text message encoded once into a complete, unmasked WebSocket frame (header and payload).
 * Server frames are never masked, so the very same bytes are valid for every receiver: fan-out
 * hands each one a {@link #buffer() duplicate} instead of encoding per connection.
 */
public final class OutboundFrame {
  private static final byte FIN_TEXT = (byte) 0x81;

  private final ByteBuffer frame;

  private OutboundFrame(ByteBuffer frame) {
    this.frame = frame;
  }

  private static final byte FIN_PONG = (byte) 0x8A;

  /**
   * Encodes {@code frame} with {@code codec} as one FIN text frame, straight into UTF-8 (no String
   * in between): the hub's path for every frame it sends.
   */
  public static OutboundFrame encode(FrameCodec codec, Frame frame) {
    Utf8Writer out = Utf8Writer.reused();
    codec.encode(frame, out);
    out.finish();
    return frame(FIN_TEXT, out.bytes(), out.length());
  }

  /**
   * A text frame of UTF-8 text encoded elsewhere: a frame another hub encoded once for all its
   * receivers (the cluster), sent as it is.
   */
  public static OutboundFrame text(byte[] utf8) {
    return frame(FIN_TEXT, utf8, utf8.length);
  }

  /** A pong echoing a ping's payload (at most 125 bytes, RFC 6455 5.5). */
  public static OutboundFrame pong(ByteBuffer pingPayload) {
    byte[] payload = new byte[Math.min(125, pingPayload.remaining())];
    pingPayload.duplicate().get(payload);
    return frame(FIN_PONG, payload, payload.length);
  }

  private static OutboundFrame frame(byte first, byte[] payload, int length) {
    int header = headerSize(length);
    ByteBuffer buf = ByteBuffer.allocate(header + length);
    buf.put(first);
    if (length < 126) {
      buf.put((byte) length);
    } else if (length <= 0xFFFF) {
      buf.put((byte) 126);
      buf.putShort((short) length);
    } else {
      buf.put((byte) 127);
      buf.putLong(length);
    }
    buf.put(payload, 0, length);
    buf.flip();
    return new OutboundFrame(buf.asReadOnlyBuffer());
  }

  /** Bytes of an unmasked frame header for a payload of {@code length} bytes (RFC 6455 5.2). */
  public static int headerSize(int length) {
    return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
  }

  /** A fresh view of the frame for one receiver: shared bytes, its own position. */
  public ByteBuffer buffer() {
    return frame.duplicate();
  }

  /**
   * The message's UTF-8 bytes alone, without the WebSocket header: what a transport that is not
   * a WebSocket (an event stream, a line-delimited socket) writes. Shared, read-only, no copy.
   */
  public ByteBuffer payload() {
    ByteBuffer view = frame.duplicate();
    view.position(payloadOffset());
    return view.slice();
  }

  private int payloadOffset() {
    int second = frame.get(1) & 0x7F;
    return second < 126 ? 2 : second == 126 ? 4 : 10;
  }

  /** Bytes on the wire, header included. */
  public int size() {
    return frame.capacity();
  }
}
