package dev.loft.stress.ws;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes what a server sends (RFC 6455 section 5) from reads of any size: complete frames are
 * decoded where they lie, in the caller's buffer; only a frame cut off by the end of a read is
 * copied and kept until the next. Fragments are joined into one message; control frames may
 * come between them. A frame no server may send is refused with a {@link ProtocolException}.
 */
final class FrameDecoder {
  /** What the decoded frames say; buffers are valid only during the call. */
  interface Sink {
    /** A whole text or binary message (fragments joined). */
    void onMessage(byte[] b, int off, int len);

    void onPing(byte[] b, int off, int len);

    /** {@code code} is {@link #NO_CODE} when the close frame had none. */
    void onClose(int code, String reason);
  }

  /** The code a close frame without one is reported with (section 7.1.5). */
  static final int NO_CODE = 1005;

  /** An unmasked header has at most 2 + 8 bytes. */
  private static final int MAX_HEADER = 10;

  private final long maxMessage;
  private final Sink sink;
  private byte[] kept; // the start of a frame the last read cut off
  private int keptLen;
  private long keptFrameSize; // bytes that frame has in all; MAX_HEADER while its header is incomplete
  private byte[] message; // fragments so far
  private int messageLen;
  private boolean fragmented;
  private boolean stopped;

  /** {@code maxMessage}: the longest frame, and the longest message its fragments may add up to. */
  FrameDecoder(long maxMessage, Sink sink) {
    this.maxMessage = maxMessage;
    this.sink = sink;
  }

  /** Decodes {@code b[off, off+len)}, the next bytes from the server. */
  void feed(byte[] b, int off, int len) throws ProtocolException {
    int p = off;
    int end = off + len;
    while (keptLen > 0 && p < end && !stopped) {
      // Only what the kept frame lacks is copied; the frames after it are decoded in place.
      int take = (int) Math.min(end - p, keptFrameSize - keptLen);
      keep(b, p, take);
      p += take;
      int used = decode(kept, 0, keptLen);
      if (stopped) {
        return;
      }
      keptLen -= used;
      if (keptLen > 0) {
        System.arraycopy(kept, used, kept, 0, keptLen);
      } else {
        kept = null; // most connections have nothing cut off most of the time: hold no buffer for them
      }
    }
    if (stopped || p == end) {
      return;
    }
    p += decode(b, p, end);
    if (!stopped && p < end) {
      keep(b, p, end - p);
    }
  }

  /** Drops what is kept; later bytes are ignored (the connection is gone). */
  void stop() {
    stopped = true;
    kept = null;
    keptLen = 0;
    message = null;
  }

  private void keep(byte[] b, int off, int len) {
    if (kept == null) {
      kept = new byte[(int) Math.max(Math.max(4096, len), Math.min(keptFrameSize, maxMessage + MAX_HEADER))];
    } else if (keptLen + len > kept.length) {
      kept = Arrays.copyOf(kept, Math.max(kept.length * 2, keptLen + len));
    }
    System.arraycopy(b, off, kept, keptLen, len);
    keptLen += len;
  }

  /** Decodes the complete frames at the start of {@code b[from, end)}; returns the bytes they took. */
  private int decode(byte[] b, int from, int end) throws ProtocolException {
    int p = from;
    while (!stopped) {
      keptFrameSize = MAX_HEADER;
      if (end - p < 2) {
        break;
      }
      int b0 = b[p] & 0xFF;
      int b1 = b[p + 1] & 0xFF;
      boolean fin = (b0 & 0x80) != 0;
      int op = b0 & 0x0F;
      refuseBadHeader(b0, b1, op, fin);
      int header = 2;
      long len = b1 & 0x7F;
      if (len == 126) {
        if (end - p < 4) {
          break;
        }
        len = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
        header = 4;
      } else if (len == 127) {
        if (end - p < 10) {
          break;
        }
        len = 0;
        for (int k = 0; k < 8; k++) {
          len = (len << 8) | (b[p + 2 + k] & 0xFF);
        }
        header = 10;
      }
      if (len > maxMessage || len < 0) { // negative: the most significant bit, which must be 0, is set
        throw new ProtocolException("frame of " + len + " bytes is too large");
      }
      if (op >= Frames.CLOSE && len > Frames.MAX_CONTROL_PAYLOAD) {
        throw new ProtocolException("control frame of " + len + " bytes (at most 125)");
      }
      keptFrameSize = header + len;
      if (end - p < keptFrameSize) {
        break;
      }
      frame(fin, op, b, p + header, (int) len);
      p += (int) keptFrameSize;
    }
    return p - from;
  }

  private static void refuseBadHeader(int b0, int b1, int op, boolean fin) throws ProtocolException {
    if ((b1 & 0x80) != 0) {
      throw new ProtocolException("masked frame from the server"); // section 5.1
    }
    if ((b0 & 0x70) != 0) {
      throw new ProtocolException("reserved bits set without an extension"); // section 5.2
    }
    if (op != Frames.CONTINUATION && op != Frames.TEXT && op != Frames.BINARY && op != Frames.CLOSE
        && op != Frames.PING && op != Frames.PONG) {
      throw new ProtocolException("reserved opcode 0x" + Integer.toHexString(op));
    }
    if (op >= Frames.CLOSE && !fin) {
      throw new ProtocolException("fragmented control frame"); // section 5.5
    }
  }

  private void frame(boolean fin, int op, byte[] b, int off, int len) throws ProtocolException {
    switch (op) {
      case Frames.CONTINUATION -> {
        if (!fragmented) {
          throw new ProtocolException("continuation frame without a message to continue");
        }
        join(b, off, len);
        if (fin) {
          fragmented = false;
          byte[] m = message;
          int l = messageLen;
          message = null;
          messageLen = 0;
          sink.onMessage(m, 0, l);
        }
      }
      case Frames.TEXT, Frames.BINARY -> {
        if (fragmented) {
          throw new ProtocolException("new message before the fragmented one ended");
        }
        if (fin) {
          sink.onMessage(b, off, len);
        } else {
          fragmented = true;
          join(b, off, len);
        }
      }
      case Frames.CLOSE -> {
        if (len == 1) {
          throw new ProtocolException("close frame with a 1-byte payload"); // section 5.5.1: a code is 2 bytes
        }
        int code = len >= 2 ? ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF) : NO_CODE;
        String reason = len > 2 ? new String(b, off + 2, len - 2, StandardCharsets.UTF_8) : "";
        sink.onClose(code, reason);
      }
      case Frames.PING -> sink.onPing(b, off, len);
      default -> {} // a pong: this client sends no pings, so none is awaited
    }
  }

  private void join(byte[] b, int off, int len) throws ProtocolException {
    if (messageLen + (long) len > maxMessage) {
      throw new ProtocolException("message of more than " + maxMessage + " bytes");
    }
    if (message == null) {
      message = new byte[Math.max(4096, len * 2)];
    } else if (messageLen + len > message.length) {
      message = Arrays.copyOf(message, (int) Math.min(maxMessage, Math.max(message.length * 2L, messageLen + len)));
    }
    System.arraycopy(b, off, message, messageLen, len);
    messageLen += len;
  }
}
