package dev.loft.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.Test;

/**
 * Inbound text that is all ASCII skips the strict UTF-8 decoder. Were the eight-at-a-time check
 * to miss a byte (in the tail, across a word, at an offset into a shared array), invalid UTF-8
 * would pass as Latin-1 text instead of closing the connection 1007.
 */
class AsciiShortcutNeverPassesAByteWithItsHighBitSetTest {

  @Test
  void everyPositionOfEveryLengthAndOffsetIsChecked() {
    for (int offset = 0; offset < 9; offset++) {
      for (int len = 0; len < 40; len++) {
        byte[] a = new byte[offset + len + 9];
        Arrays.fill(a, (byte) 'a');
        a[offset + len] = (byte) 0x80; // just past the range: must not be looked at
        if (offset > 0) {
          a[offset - 1] = (byte) 0xC3; // just before it: neither
        }
        assertTrue(StrictUtf8.isAscii(a, offset, len), "offset " + offset + " len " + len);
        for (int bad = 0; bad < len; bad++) {
          a[offset + bad] = (byte) 0xFF;
          assertFalse(StrictUtf8.isAscii(a, offset, len), "offset " + offset + " len " + len + " bad at " + bad);
          a[offset + bad] = 'a';
        }
      }
    }
  }

  @Test
  void invalidUtf8AfterALongAsciiRunStillFails1007() {
    byte[] text = new byte[100];
    Arrays.fill(text, (byte) 'x');
    text[97] = (byte) 0xC0; // an overlong form's lead byte
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> new StrictUtf8().whole(ByteBuffer.wrap(text, 0, 99)));
    assertEquals(CloseFrame.NO_UTF8, e.getCloseCode());
  }

  @Test
  void asciiTextIsConsumedAndReturnedAsItIs() throws Exception {
    ByteBuffer in = ByteBuffer.wrap("{\"type\":\"offer\"}!".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 16);
    assertEquals("{\"type\":\"offer\"}", new StrictUtf8().whole(in));
    assertEquals(0, in.remaining());
  }
}
