package dev.loft.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A close reason or topic with a newline forged whole log lines; a long one filled the log. */
class PeerTextInLogsIsEscapedAndClippedTest {

  @Test
  void controlCharactersCannotForgeALogLine() {
    String forged = "bye\n2026-12-02T00:00:00Z ERROR [main] admin token is x\u001b[2J";
    String safe = LogText.safe(forged);
    assertFalse(safe.contains("\n") || safe.contains("\u001b"), safe);
    assertTrue(safe.startsWith("bye\\u000a2026"), safe);
  }

  @Test
  void longTextIsClippedWithItsLength() {
    String safe = LogText.safe("x".repeat(10_000));
    assertEquals(LogText.MAX_CHARS + "…(10000 chars)".length(), safe.length(), safe);
  }

  @Test
  void nullIsEmpty() {
    assertEquals("", LogText.safe(null));
  }
}
