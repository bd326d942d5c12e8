package dev.loft.server.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as people write them: {@code 500ms}, {@code 30s}, {@code 1.5s}, {@code 5m}, {@code 1h},
 * or ISO {@code PT30S}. The one parser of durations: the command line's, and the stress tool's.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /** Parses {@code value}; throws IllegalArgumentException with a message for a person. */
  public static Duration parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      double n = Double.parseDouble(v.substring(0, v.length() - 1));
      long unitMillis = switch (v.charAt(v.length() - 1)) {
        case 's' -> 1_000L;
        case 'm' -> 60_000L;
        case 'h' -> 3_600_000L;
        default -> -1L;
      };
      if (unitMillis > 0 && Double.isFinite(n)) { // a negative one is the config's to refuse, with its bound
        return Duration.ofMillis(Math.round(n * unitMillis));
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("'" + value + "' is not a duration (use e.g. 500ms, 1.5s, 30s, 5m, 1h)");
  }
}
