package dev.loft.protocol;

import java.io.Reader;
import java.io.Writer;

/**
 * Unsynchronized replacements for {@code StringReader} and {@code StringWriter}, whose every call
 * takes a lock: the codec runs once per frame, on one thread per frame.
 */
final class TextBuffers {
  private TextBuffers() {}

  /** Reads a String without locking. */
  static final class StringSource extends Reader {
    private final String text;
    private int pos;

    StringSource(String text) {
      this.text = text;
    }

    @Override
    public int read(char[] buf, int off, int len) {
      int left = text.length() - pos;
      if (left <= 0) {
        return -1;
      }
      int n = Math.min(len, left);
      text.getChars(pos, pos + n, buf, off);
      pos += n;
      return n;
    }

    @Override
    public void close() {
      // nothing held
    }
  }

  /** Collects text in a StringBuilder without locking. */
  static final class StringSink extends Writer {
    /** A reused sink that grew past this is dropped, so one huge frame does not stay held per thread. */
    private static final int MAX_KEPT_CHARS = 16 * 1024;
    private static final ThreadLocal<StringSink> REUSED = ThreadLocal.withInitial(() -> new StringSink(1024));

    private final StringBuilder out;

    StringSink(int capacity) {
      this.out = new StringBuilder(capacity);
    }

    /**
     * This thread's sink, emptied: an encoder that runs once per frame then appends into a builder
     * that has already grown, instead of growing a new one (the copies showed in relay profiles).
     * The caller takes {@link #toString()} before it encodes again on the same thread.
     */
    static StringSink reused() {
      StringSink sink = REUSED.get();
      if (sink.out.capacity() > MAX_KEPT_CHARS) {
        sink = new StringSink(1024);
        REUSED.set(sink);
      }
      sink.out.setLength(0);
      return sink;
    }

    @Override
    public void write(int c) {
      out.append((char) c);
    }

    @Override
    public void write(char[] buf, int off, int len) {
      out.append(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      out.append(s, off, off + len);
    }

    @Override
    public Writer append(CharSequence s) {
      out.append(s);
      return this;
    }

    @Override
    public void flush() {
      // nothing buffered
    }

    @Override
    public void close() {
      // nothing held
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
