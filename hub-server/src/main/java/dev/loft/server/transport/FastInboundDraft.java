package dev.loft.server.transport;

import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.stats.StatStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketListener;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.InvalidFrameException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.FramedataImpl1;
import org.java_websocket.framing.PingFrame;
import org.java_websocket.framing.PongFrame;

/**
 * Loft's own parser of inbound frames, the default ({@code --inbound-parser fast}). Java-WebSocket
 * 1.6.0 goes over a text frame's payload three times before the hub sees it: it unmasks one byte
 * at a time ({@code Draft_6455.translateSingleFrame}), checks the UTF-8 ({@code TextFrame.isValid}
 * → {@code Charsetfunctions.isValidUTF8}) and decodes it ({@code Charsetfunctions.stringUtf8}, a
 * new decoder per message): most of the hub's CPU when it relays small messages
 * (java-websocket-1.6.0.md). Here:
 *
 * <ul>
 *   <li>frames are parsed straight from the read buffer and unmasked in place, eight bytes at a
 *       time ({@link #unmask}); only a frame whose bytes have not all arrived is copied, into a
 *       buffer of its own, once the budget agreed to its declared size;
 *   <li>text is validated while it is decoded, once ({@link StrictUtf8}), and the String goes to
 *       the listener: the library's UTF-8 passes never run;
 *   <li>control frames are checked here, then processed by the library as before: a ping reaches
 *       {@code onWebsocketPing} (the hub's own pong), a pong the heartbeat, a close the close
 *       handshake.
 * </ul>
 *
 * <p>RFC 6455, with the close code a peer gets for breaking it: a client's frames must be masked,
 * reserved bits need an extension (none is negotiated) and opcodes must be known (1002); control
 * frames carry at most 125 bytes and are never fragmented (1002); a frame or message longer than
 * {@code maxFrameBytes}, or a 64-bit length with its top bit set, is 1009; a continuation needs a
 * message to continue and a new message must wait for the last one's final fragment (1002); text
 * must be UTF-8 (1007); a close frame's payload is empty or a valid code and a UTF-8 reason (1002,
 * 1007). Nothing after a close frame is read. A frame that breaks a rule ends the read: the frames
 * before it are processed first, then the connection is closed (the library drops the whole read).
 *
 * <p>One instance per connection ({@link #copyInstance}), used by its decoder thread only.
 */
final class FastInboundDraft extends BoundedDraft {
  /** 2 bytes, a 64-bit length, the mask key. */
  private static final int MAX_HEADER_BYTES = 14;
  private static final int MAX_CONTROL_PAYLOAD = 125;

  // Decoder thread, all of them. Not cleared by reset(): the library calls it when the connection
  // closes, from whichever thread closes it, maybe while the decoder thread parses a read of this
  // connection. No later read of a closing connection is parsed, and the state goes with the
  // connection (whose account is closed: nothing stays charged).
  /**
   * The frame whose bytes have not all arrived, or null: position is what has arrived, limit what
   * is needed next (while {@link #partialHeader}, the header; then the whole frame).
   */
  private ByteBuffer partial;
  private boolean partialHeader;
  /** The header {@link #readHeader} read last. */
  private int opcode;
  private boolean fin;
  private int headerBytes;
  private int payloadBytes;
  /** TEXT or BINARY while a fragmented message is unfinished, else null. */
  private Opcode message;
  private StrictUtf8 text;
  /** The fragments so far of an unfinished binary message. */
  private ByteBuffer binary;
  /** A close frame was read: what follows it is not (RFC 6455 5.5.1). */
  private boolean closeRead;

  FastInboundDraft(int maxFrameBytes, int maxFragments, Gate gate, StatStore counters, MemoryBudget budget) {
    super(maxFrameBytes, maxFragments, gate, counters, budget);
  }

  @Override
  public Draft copyInstance() {
    return new FastInboundDraft(maxFrameBytes, maxFragments, gate, counters, budget);
  }

  /**
   * The whole frames in {@code buffer} (after the one a previous read left unfinished), each
   * unmasked in place: a data frame's payload is a slice of the buffer, valid while this read is
   * processed (the library recycles the buffer after it). A frame that breaks a rule comes last,
   * as a {@link Refusal}; with no frame before it, it is thrown at once.
   */
  @Override
  public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
    List<Framedata> frames = new ArrayList<>(4);
    try {
      if (partial != null && !fillPartial(buffer, frames)) {
        return frames;
      }
      while (buffer.hasRemaining() && !closeRead) {
        int at = buffer.position();
        long size = readHeader(buffer, at, buffer.remaining());
        if (size < 0 || size > buffer.remaining()) {
          startPartial(buffer, size);
          break;
        }
        frames.add(frame(buffer, at));
        buffer.position(at + (int) size);
      }
    } catch (InvalidDataException e) {
      partial = null;
      buffer.position(buffer.limit()); // the connection is closing: nothing more is read
      if (frames.isEmpty()) {
        throw e;
      }
      frames.add(new Refusal(e));
    }
    if (closeRead) {
      buffer.position(buffer.limit());
    }
    return frames;
  }

  /**
   * Reads the frame header at {@code at}, of which {@code available} bytes have arrived. Returns
   * the frame's size (header and payload), or, when the header is not all there, minus the number
   * of header bytes needed to know more. Throws for a header that breaks a rule.
   */
  private long readHeader(ByteBuffer b, int at, int available) throws InvalidDataException {
    if (available < 2) {
      return -2;
    }
    int b0 = b.get(at) & 0xFF;
    int b1 = b.get(at + 1) & 0xFF;
    if ((b0 & 0x70) != 0) {
      throw new InvalidFrameException("reserved bits set (0x" + Integer.toHexString(b0) + ") but no extension negotiated");
    }
    int op = b0 & 0x0F;
    boolean control = op >= 8;
    if (op > 10 || (op > 2 && !control)) {
      throw new InvalidFrameException("unknown opcode " + op);
    }
    if ((b1 & 0x80) == 0) {
      throw new InvalidFrameException("a client's frames must be masked");
    }
    boolean last = (b0 & 0x80) != 0;
    int length7 = b1 & 0x7F;
    if (control && (!last || length7 > MAX_CONTROL_PAYLOAD)) {
      throw new InvalidFrameException("a control frame must be final and carry at most 125 bytes");
    }
    int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    int header = 2 + lengthBytes + 4;
    if (available < 2 + lengthBytes) {
      return -header;
    }
    long length = length7 == 126 ? b.getShort(at + 2) & 0xFFFF : length7 == 127 ? b.getLong(at + 2) : length7;
    if (length < 0 || length > maxFrameBytes) { // < 0: the top bit of a 64-bit length, which must be 0
      throw new LimitExceededException("frame of " + Long.toUnsignedString(length) + " bytes, at most "
          + maxFrameBytes, maxFrameBytes);
    }
    if (available < header) {
      return -header;
    }
    opcode = op;
    fin = last;
    headerBytes = header;
    payloadBytes = (int) length;
    return header + length;
  }

  /** Keeps the rest of {@code buffer}, the start of a frame of {@code size} (as readHeader gave it). */
  private void startPartial(ByteBuffer buffer, long size) throws InvalidDataException {
    partialHeader = size < 0;
    if (partialHeader) {
      partial = ByteBuffer.allocate(MAX_HEADER_BYTES).limit((int) -size);
    } else {
      askBudget(size);
      partial = ByteBuffer.allocate((int) size);
    }
    partial.put(buffer);
  }

  /**
   * Adds what {@code buffer} has of the partial frame; once it is whole, adds it to {@code frames},
   * returns true and leaves the rest of {@code buffer}. False: all of it went into the partial
   * frame, which is still not whole.
   */
  private boolean fillPartial(ByteBuffer buffer, List<Framedata> frames) throws InvalidDataException {
    while (true) {
      int take = Math.min(partial.remaining(), buffer.remaining());
      partial.put(buffer.slice(buffer.position(), take));
      buffer.position(buffer.position() + take);
      if (partial.hasRemaining()) {
        return false;
      }
      if (!partialHeader) {
        break;
      }
      long size = readHeader(partial, 0, partial.position());
      if (size < 0) {
        partial.limit((int) -size);
      } else { // the header is whole: now the frame's size is known
        askBudget(size);
        partial = ByteBuffer.allocate((int) size).put(partial.flip());
        partialHeader = false;
      }
    }
    ByteBuffer whole = partial;
    partial = null;
    readHeader(whole, 0, whole.position());
    frames.add(frame(whole, 0));
    return true;
  }

  /** The frame whose header readHeader just read at {@code at}, unmasked. */
  private Framedata frame(ByteBuffer b, int at) throws InvalidDataException {
    int payloadAt = at + headerBytes;
    unmask(b, payloadAt - 4, payloadAt, payloadBytes);
    ByteBuffer payload = b.slice(payloadAt, payloadBytes);
    return switch (opcode) {
      case 0 -> new Data(Opcode.CONTINUOUS, fin, payload);
      case 1 -> new Data(Opcode.TEXT, fin, payload);
      case 2 -> new Data(Opcode.BINARY, fin, payload);
      case 8 -> closeFrame(payload);
      case 9 -> control(new PingFrame(), payload);
      default -> control(new PongFrame(), payload);
    };
  }

  /**
   * XORs {@code length} bytes at {@code from} with the 4-byte key at {@code keyAt}, in place: eight
   * bytes at a time with the key twice in a long, then the tail byte by byte (the library takes
   * every byte on its own, with an index modulo 4).
   */
  static void unmask(ByteBuffer b, int keyAt, int from, int length) {
    int key = b.getInt(keyAt); // in b's byte order, as the longs below: the bytes line up either way
    long key8 = ((long) key << 32) | (key & 0xFFFFFFFFL);
    int i = from;
    int end = from + length;
    for (; i <= end - 8; i += 8) {
      b.putLong(i, b.getLong(i) ^ key8);
    }
    for (int k = 0; i < end; i++, k++) { // i - from is a multiple of 8 here: key byte 0 again
      b.put(i, (byte) (b.get(i) ^ b.get(keyAt + (k & 3))));
    }
  }

  /** A ping or pong, its payload copied: the hub's pong and the heartbeat outlive this read. */
  private static Framedata control(FramedataImpl1 frame, ByteBuffer payload) {
    frame.setPayload(ByteBuffer.allocate(payload.remaining()).put(payload).flip());
    return frame;
  }

  /**
   * A close frame, checked here: the library's own check throws a NullPointerException for a
   * reason that is not UTF-8 (CloseFrame.isValid), which leaves the connection open.
   */
  private Framedata closeFrame(ByteBuffer payload) throws InvalidDataException {
    closeRead = true;
    CloseFrame close = new CloseFrame(); // an empty payload: no code, answered with 1000 as the library does
    int length = payload.remaining();
    if (length == 1) {
      throw new InvalidFrameException("a close frame's payload is a 2-byte code and a reason, not 1 byte");
    }
    if (length >= 2) {
      int code = payload.getShort(0) & 0xFFFF;
      if (!isValidCloseCode(code)) {
        throw new InvalidFrameException("close code " + code + " may not be sent");
      }
      close.setCode(code);
      close.setReason(StrictUtf8.whole(payload.slice(2, length - 2)));
    }
    return close;
  }

  /** RFC 6455 7.4: the defined codes an endpoint may send, and 3000-4999 (registered, private). */
  static boolean isValidCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }

  @Override
  public void processFrame(WebSocketImpl conn, Framedata frame) throws InvalidDataException {
    if (frame instanceof Refusal refusal) {
      throw refusal.error;
    }
    super.processFrame(conn, frame);
  }

  /** A data frame the gate admitted: assembled into its message, which goes to the listener. */
  @Override
  void deliver(WebSocketImpl conn, Framedata frame) throws InvalidDataException {
    if (!(frame instanceof Data data)) {
      super.deliver(conn, frame); // ping, pong, close: the library's processing
      return;
    }
    Opcode kind = data.opcode;
    if (kind == Opcode.CONTINUOUS) {
      if (message == null) {
        throw new InvalidDataException(CloseFrame.PROTOCOL_ERROR, "a continuation frame without a message to continue");
      }
      kind = message;
    } else if (message != null) {
      throw new InvalidDataException(CloseFrame.PROTOCOL_ERROR, "a new message before the last fragment of the previous one");
    } else if (!data.fin) {
      message = kind;
    }
    boolean whole = data.opcode != Opcode.CONTINUOUS && data.fin;
    if (data.fin) {
      message = null;
    }
    if (kind == Opcode.TEXT) {
      String complete;
      if (whole) {
        complete = StrictUtf8.whole(data.payload);
      } else {
        StrictUtf8 utf8 = text == null ? (text = new StrictUtf8()) : text; // fragments only
        complete = utf8.fragment(data.payload, data.fin);
      }
      if (complete != null) {
        toListener(conn, complete);
      }
    } else if (whole) {
      toListener(conn, data.payload);
    } else {
      binary = append(binary, data.payload);
      if (data.fin) {
        ByteBuffer complete = binary.flip();
        binary = null;
        toListener(conn, complete);
      }
    }
  }

  private static ByteBuffer append(ByteBuffer to, ByteBuffer more) {
    if (to == null) {
      return ByteBuffer.allocate(Math.max(64, more.remaining())).put(more);
    }
    if (to.remaining() < more.remaining()) {
      to = ByteBuffer.allocate(Math.max(to.capacity() * 2, to.position() + more.remaining())).put(to.flip());
    }
    return to.put(more);
  }

  /** As the library hands a message over: an exception of the listener's is reported, not thrown. */
  private static void toListener(WebSocketImpl conn, Object message) {
    WebSocketListener listener = conn.getWebSocketListener();
    try {
      if (message instanceof String s) {
        listener.onWebsocketMessage(conn, s);
      } else {
        listener.onWebsocketMessage(conn, (ByteBuffer) message);
      }
    } catch (RuntimeException e) {
      listener.onWebsocketError(conn, e);
    }
  }

  @Override
  long bufferedBytes() {
    return (partial == null ? 0 : partial.capacity())
        + (binary == null ? 0 : binary.capacity())
        + (text == null ? 0 : text.heldBytes());
  }

  /** A text, binary or continuation frame; its payload is a slice of the read buffer (see translateFrame). */
  private record Data(Opcode opcode, boolean fin, ByteBuffer payload) implements Framedata {
    @Override public boolean isFin() { return fin; }
    @Override public boolean isRSV1() { return false; }
    @Override public boolean isRSV2() { return false; }
    @Override public boolean isRSV3() { return false; }
    @Override public boolean getTransfereMasked() { return true; }
    @Override public Opcode getOpcode() { return opcode; }
    @Override public ByteBuffer getPayloadData() { return payload; }
    @Override public void append(Framedata next) { throw new UnsupportedOperationException("assembled by FastInboundDraft"); }
  }

  /**
   * Stands for the frame that broke a rule, after the frames before it in the same read:
   * processing it throws, so the library closes the connection with its code.
   */
  private record Refusal(InvalidDataException error) implements Framedata {
    @Override public boolean isFin() { return true; }
    @Override public boolean isRSV1() { return false; }
    @Override public boolean isRSV2() { return false; }
    @Override public boolean isRSV3() { return false; }
    @Override public boolean getTransfereMasked() { return true; }
    @Override public Opcode getOpcode() { return Opcode.CLOSING; }
    @Override public ByteBuffer getPayloadData() { return ByteBuffer.allocate(0); }
    @Override public void append(Framedata next) { throw new UnsupportedOperationException(); }
  }
}
