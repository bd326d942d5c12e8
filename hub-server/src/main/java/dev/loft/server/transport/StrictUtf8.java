package dev.loft.server.transport;

import com.google.common.base.Utf8;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;

/**
 * Turns the UTF-8 of inbound text messages into Strings, validating while it decodes, in one pass:
 * Java-WebSocket 1.6.0 walks a text frame's bytes twice before that (its own UTF-8 check, then a
 * decoder made anew per message). The decoder reports instead of replacing, so overlong forms,
 * surrogates, code points past U+10FFFF and truncated sequences all fail (close 1007, RFC 6455
 * 8.1).
 *
 * <p>A fragmented message is decoded fragment by fragment as it arrives, so invalid text fails at
 * the fragment that breaks it; a code point split between two fragments is carried over (at most
 * three bytes) and completed by the next one.
 *
 * <p>Whole messages, nearly all of them, need no state ({@link #whole}); an instance, one per
 * connection and used by its decoder thread only, is made for the first fragmented message.
 */
final class StrictUtf8 {
  private final CharsetDecoder decoder = strictDecoder();
  // decoder thread
  /** The unfinished fragmented message, or null. */
  private CharBuffer message;
  /** The start of a code point that the last fragment ended inside. */
  private final byte[] carry = new byte[3];
  private int carried;

  private static CharsetDecoder strictDecoder() {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /**
   * A whole message (one frame), needing no state of a connection's: safe while one of its
   * fragmented messages is unfinished (a close frame's reason). Nothing is kept between calls: a
   * buffer kept per decoder thread cost more to look up (ThreadLocal) than it saved, and one kept
   * per connection would hold memory for idle peers.
   */
  static String whole(ByteBuffer utf8) throws InvalidDataException {
    if (utf8.hasArray()) {
      // Guava's strict check (Unicode's well-formed sequences: no overlongs, surrogates or code
      // points past U+10FFFF), then the JDK's String decoder, exact for well-formed input and one
      // copy into a Latin-1 String for ASCII, as signaling is. The CharsetDecoder below went
      // bytes -> chars -> compacted String.
      byte[] a = utf8.array();
      int off = utf8.arrayOffset() + utf8.position();
      int len = utf8.remaining();
      if (!Utf8.isWellFormed(a, off, len)) {
        throw new InvalidDataException(CloseFrame.NO_UTF8, "not UTF-8");
      }
      utf8.position(utf8.limit());
      return new String(a, off, len, StandardCharsets.UTF_8);
    }
    try {
      return strictDecoder().decode(utf8).toString(); // reset, decode, flush: one pass over the bytes
    } catch (CharacterCodingException e) {
      throw new InvalidDataException(CloseFrame.NO_UTF8, "not UTF-8: " + e);
    }
  }

  /**
   * The next fragment of a message (the first one starts it); returns the message after the last
   * fragment, else null.
   */
  String fragment(ByteBuffer utf8, boolean last) throws InvalidDataException {
    if (message == null) {
      decoder.reset();
      message = CharBuffer.allocate(Math.max(64, utf8.remaining()));
    }
    ByteBuffer in = utf8;
    if (carried > 0) {
      in = ByteBuffer.allocate(carried + utf8.remaining()).put(carry, 0, carried).put(utf8).flip();
      carried = 0;
    }
    if (message.remaining() < in.remaining()) { // a char per byte at most
      message = CharBuffer.allocate(Math.max(message.capacity() * 2, message.position() + in.remaining()))
          .put(message.flip());
    }
    decode(in, message, last);
    if (!last) {
      carried = in.remaining();
      in.get(carry, 0, carried);
      return null;
    }
    String text = message.flip().toString();
    message = null;
    return text;
  }

  /** Chars of the unfinished message (two bytes each) and the carried bytes. */
  long heldBytes() {
    return (message == null ? 0 : 2L * message.capacity()) + carried;
  }

  /**
   * Decodes all of {@code in} but, when more is to come, the start of a code point it ends inside.
   * {@code out} must have a char of room per byte of {@code in} (UTF-8 never gives more).
   */
  private void decode(ByteBuffer in, CharBuffer out, boolean endOfInput) throws InvalidDataException {
    CoderResult result = decoder.decode(in, out, endOfInput);
    if (result.isUnderflow() && endOfInput) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new InvalidDataException(CloseFrame.NO_UTF8, "not UTF-8: " + result);
    }
    if (result.isOverflow()) {
      throw new IllegalStateException("decoding buffer too small: " + out.remaining() + " chars for " + in.remaining() + " bytes");
    }
  }
}
