package dev.loft.bus;

import java.util.List;
import java.util.Map;

/**
 * What a bus holds at one moment, for diagnostics: listener names per event type (by simple class
 * name, sorted), and counters.
 */
public record BusSnapshot(
    Map<String, List<String>> listenersByType,
    int listenerCount,
    long published,
    long listenerErrors,
    boolean closed) {

  public int typeCount() {
    return listenersByType.size();
  }
}
