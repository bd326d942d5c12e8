package dev.loft.stress;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Error frames and unexpected closes seen by a scenario's peers, plus the text of the latest one,
 * so a failed check can say what went wrong. Callers decide whether an event counts (e.g. not
 * once the scenario is stopping).
 */
final class Tally {
  final AtomicLong errors = new AtomicLong();
  final AtomicLong closed = new AtomicLong();
  volatile String lastError;

  /** An ERROR frame; its text (first 300 bytes) after {@code prefix} becomes the last error. */
  void error(String prefix, byte[] b, int off, int len) {
    errors.incrementAndGet();
    lastError = prefix + Bytes.text(b, off, Math.min(len, 300));
  }

  /** A peer closed while it should still be open; {@code who} starts the last error's text. */
  void closed(String who, int code, String reason) {
    closed.incrementAndGet();
    lastError = who + "closed " + code + " " + reason;
  }

  /** "; last error …" for exception messages, empty if there was none. */
  String lastErrorSuffix() {
    return lastError == null ? "" : "; last error " + lastError;
  }

  /** "; last …" for report checks, empty if there was none. */
  String lastSuffix() {
    return lastError == null ? "" : "; last " + lastError;
  }
}
