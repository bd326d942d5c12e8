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
    private final StringBuilder out;

    StringSink(int capacity) {
      this.out = new StringBuilder(capacity);
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
