package dev.loft.server.core;

/**
 * Peer-controlled text (close reasons, ids, topic names) as it may appear in a log line: control
 * characters escaped, so a peer cannot forge lines or terminal escapes, and clipped, so it
 * cannot fill the log.
 */
public final class LogText {
  /** At most this many characters of peer text per log field. */
  public static final int MAX_CHARS = 80;

  private LogText() {}

  public static String safe(String text) {
    if (text == null) {
      return "";
    }
    int n = Math.min(text.length(), MAX_CHARS);
    StringBuilder out = new StringBuilder(n + 8);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (text.length() > n) {
      out.append("…(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
