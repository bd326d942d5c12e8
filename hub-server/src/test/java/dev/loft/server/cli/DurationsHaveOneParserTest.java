package dev.loft.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The command line and the stress tool parsed durations two ways: the stress tool took {@code 1.5s}
 * and the hub refused it; the hub took {@code 1h} and the stress tool refused it.
 */
class DurationsHaveOneParserTest {

  @Test
  void everyFormEitherToolAcceptedIsAcceptedByTheOneParser() {
    assertEquals(Duration.ofMillis(1_500), DurationConverter.parse("1.5s"));
    assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), DurationConverter.parse(" 30S "));
    assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
    assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
    assertEquals(Duration.ofSeconds(30), DurationConverter.parse("PT30S"));
  }

  @Test
  void anythingElseIsRefusedWithWhatToWrite() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("soon"));
    assertEquals("'soon' is not a duration (use e.g. 500ms, 1.5s, 30s, 5m, 1h)", e.getMessage());
  }
}
