package dev.loft.client.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Frames accepted while disconnected, in call order, bounded by count and by UTF-8 bytes. Offering
 * past either bound is refused (the caller fails fast); nothing here ever grows past its bound.
 *
 * <p>Not thread-safe: every method runs under the client lock.
 */
final class OutgoingBuffer {
  /** One encoded frame, and the request waiting for its answer (null for fire-and-forget). */
  record Entry(String text, long bytes, Request request) {}

  private final int maxFrames;
  private final long maxBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long bytes;

  OutgoingBuffer(int maxFrames, long maxBytes) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** False, and nothing kept, when the entry would pass either bound. */
  boolean offer(Entry entry) {
    if (entries.size() >= maxFrames || bytes + entry.bytes() > maxBytes) {
      return false;
    }
    entries.addLast(entry);
    bytes += entry.bytes();
    return true;
  }

  /** Drops the entry of a request that timed out while waiting here. */
  void remove(Request request) {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.request() == request) {
        it.remove();
        bytes -= e.bytes();
        return;
      }
    }
  }

  /** Removes and returns everything, oldest first. */
  List<Entry> drain() {
    List<Entry> out = new ArrayList<>(entries);
    entries.clear();
    bytes = 0;
    return out;
  }

  int size() {
    return entries.size();
  }

  long bytes() {
    return bytes;
  }

  /** UTF-8 length of {@code s}, without encoding it. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
