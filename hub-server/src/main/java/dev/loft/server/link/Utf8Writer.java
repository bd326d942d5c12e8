package dev.loft.server.link;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A {@link Writer} that encodes straight into UTF-8 bytes, reused per thread: the codec's JSON goes
 * into it and {@link OutboundFrame} copies the bytes once into the frame. Encoding to a String
 * first cost three copies per frame (builder to String, String to bytes, bytes to the frame),
 * which showed in relay allocation profiles (docs/benchmarks.md, issue 11).
 *
 * <p>Encodes as {@link String#getBytes(java.nio.charset.Charset) getBytes(UTF_8)} does: a
 * surrogate pair becomes one four-byte sequence, even across two writes, and a lone surrogate
 * becomes {@code '?'}.
 *
 * <p>Not thread-safe: one per thread, through {@link #reused()}.
 */
final class Utf8Writer extends Writer {
  /** A reused writer that grew past this is dropped, so one huge frame does not stay held per thread. */
  static final int MAX_KEPT_BYTES = 64 * 1024;
  private static final ThreadLocal<Utf8Writer> REUSED = ThreadLocal.withInitial(Utf8Writer::new);

  private byte[] bytes = new byte[1024];
  private int length;
  /** A high surrogate whose low half has not been written yet, or 0. */
  private char pendingHigh;

  /** This thread's writer, emptied; the caller takes the bytes before it encodes again on the thread. */
  static Utf8Writer reused() {
    Utf8Writer w = REUSED.get();
    if (w.bytes.length > MAX_KEPT_BYTES) {
      w = new Utf8Writer();
      REUSED.set(w);
    }
    w.length = 0;
    w.pendingHigh = 0;
    return w;
  }

  /** The encoded bytes are {@code bytes()[0, length())}; call {@link #finish()} first. */
  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }

  /** Ends the text: a high surrogate left without its low half becomes '?'. */
  void finish() {
    if (pendingHigh != 0) {
      pendingHigh = 0;
      ensure(1);
      bytes[length++] = '?';
    }
  }

  @Override
  public void write(int c) {
    if (c < 0x80 && pendingHigh == 0 && length < bytes.length) { // JSON's quotes, colons, commas
      bytes[length++] = (byte) c;
      return;
    }
    ensure(4);
    put((char) c);
  }

  @Override
  public void write(char[] buf, int off, int len) {
    ensure(3 * len + 1);
    for (int i = off; i < off + len; i++) {
      put(buf[i]);
    }
  }

  /**
   * From this length on, a whole string is encoded by {@link String#getBytes} (for a Latin-1
   * string an intrinsic scan and copy) and copied in: a char-by-char loop over a relayed 256-byte
   * payload was the hot spot of the relay profile. Shorter pieces (field names, ids) are cheaper
   * in the loop than with an allocation.
   */
  private static final int BULK_CHARS = 48;

  @Override
  public void write(String s, int off, int len) {
    if (len >= BULK_CHARS && off == 0 && len == s.length() && pendingHigh == 0
        && !Character.isHighSurrogate(s.charAt(len - 1))) { // a pair split between writes stays the loop's
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, bytes, length, utf8.length);
      length += utf8.length;
      return;
    }
    ensure(3 * len + 1);
    int i = off;
    int end = off + len;
    if (pendingHigh == 0) { // the ASCII run of JSON text, without the per-char branches below
      byte[] b = bytes;
      int n = length;
      while (i < end) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          break;
        }
        b[n++] = (byte) c;
        i++;
      }
      length = n;
    }
    for (; i < end; i++) {
      put(s.charAt(i));
    }
  }

  @Override
  public Writer append(CharSequence s) {
    String text = String.valueOf(s);
    write(text, 0, text.length());
    return this;
  }

  /** One char; room for it (at most 4 bytes with a pending high surrogate) is ensured by the caller. */
  private void put(char c) {
    if (pendingHigh != 0) {
      char high = pendingHigh;
      pendingHigh = 0;
      if (Character.isLowSurrogate(c)) {
        int cp = Character.toCodePoint(high, c);
        bytes[length++] = (byte) (0xF0 | (cp >> 18));
        bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        bytes[length++] = (byte) (0x80 | (cp & 0x3F));
        return;
      }
      bytes[length++] = '?';
    }
    if (c < 0x80) {
      bytes[length++] = (byte) c;
    } else if (c < 0x800) {
      bytes[length++] = (byte) (0xC0 | (c >> 6));
      bytes[length++] = (byte) (0x80 | (c & 0x3F));
    } else if (Character.isHighSurrogate(c)) {
      pendingHigh = c;
    } else if (Character.isLowSurrogate(c)) {
      bytes[length++] = '?';
    } else {
      bytes[length++] = (byte) (0xE0 | (c >> 12));
      bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
      bytes[length++] = (byte) (0x80 | (c & 0x3F));
    }
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }

  @Override
  public void flush() {
    // nothing buffered elsewhere
  }

  @Override
  public void close() {
    // nothing held
  }
}
