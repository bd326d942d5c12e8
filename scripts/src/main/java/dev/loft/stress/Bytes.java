package dev.loft.stress;

import java.nio.charset.StandardCharsets;

/**
 * Just enough JSON scanning for the hot path: the generator looks at raw frame bytes for the
 * frame type and its own numeric fields instead of parsing every delivered frame.
 */
final class Bytes {
  private Bytes() {}

  static final int OTHER = 0;
  static final int MESSAGE = 1;
  static final int OFFER = 2;
  static final int ANSWER = 3;
  static final int CONNECTED = 4;
  static final int ACK = 5;
  static final int ERROR = 6;
  static final int PEER_DISCOVERED = 7;
  static final int PEER_DISCONNECTED = 8;
  static final int PONG = 9;

  private static final byte[] TYPE_KEY = ascii("\"type\":\"");
  static final byte[] LTNS_KEY = ascii("\"ltns\":");
  static final byte[] SEQ_KEY = ascii("\"seq\":");
  static final byte[] CODE_KEY = ascii("\"code\":\"");

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static int indexOf(byte[] b, int off, int len, byte[] pat) {
    int end = off + len - pat.length;
    byte first = pat[0];
    outer:
    for (int i = off; i <= end; i++) {
      if (b[i] != first) {
        continue;
      }
      for (int k = 1; k < pat.length; k++) {
        if (b[i + k] != pat[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The frame's {@code type} as one of the constants above. */
  static int type(byte[] b, int off, int len) {
    int i = indexOf(b, off, len, TYPE_KEY);
    if (i < 0) {
      return OTHER;
    }
    int s = i + TYPE_KEY.length;
    int e = s;
    int end = off + len;
    while (e < end && b[e] != '"') {
      e++;
    }
    int n = e - s;
    if (n <= 0) {
      return OTHER;
    }
    switch (b[s]) {
      case 'm':
        return n == 7 ? MESSAGE : OTHER;
      case 'o':
        return n == 5 ? OFFER : OTHER;
      case 'a':
        return n == 6 ? ANSWER : n == 3 ? ACK : OTHER;
      case 'c':
        return n == 9 ? CONNECTED : OTHER;
      case 'e':
        return n == 5 ? ERROR : OTHER;
      case 'p':
        return n == 15 ? PEER_DISCOVERED : n == 17 ? PEER_DISCONNECTED : n == 4 ? PONG : OTHER;
      default:
        return OTHER;
    }
  }

  /** The non-negative integer after {@code key}, or -1. */
  static long longAfter(byte[] b, int off, int len, byte[] key) {
    int i = indexOf(b, off, len, key);
    if (i < 0) {
      return -1;
    }
    int p = i + key.length;
    int end = off + len;
    while (p < end && b[p] == ' ') {
      p++;
    }
    long v = 0;
    boolean any = false;
    while (p < end && b[p] >= '0' && b[p] <= '9') {
      v = v * 10 + (b[p] - '0');
      p++;
      any = true;
    }
    return any ? v : -1;
  }

  /** The string value after a key pattern ending in {@code :"}, or null. */
  static String stringAfter(byte[] b, int off, int len, byte[] key) {
    int i = indexOf(b, off, len, key);
    if (i < 0) {
      return null;
    }
    int s = i + key.length;
    int e = s;
    int end = off + len;
    while (e < end && b[e] != '"') {
      e++;
    }
    return new String(b, s, e - s, StandardCharsets.UTF_8);
  }

  static String text(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.UTF_8);
  }

  /** {@code n} filler characters for payload sizing. */
  static String pad(int n) {
    return "x".repeat(Math.max(0, n));
  }
}
