package dev.loft.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.Test;

/**
 * A whole text message is checked by Guava's well-formedness test over the frame's own array, at
 * the payload's offset into it, before the JDK decodes it. Were the check to miss a byte (in the
 * tail, at an offset into a shared array) or look past the payload, invalid UTF-8 would pass as
 * text, or valid text be refused, instead of the connection closing 1007 exactly when it must.
 */
class WholeMessageUtf8CheckNeverPassesAnInvalidByteTest {

  @Test
  void everyPositionOfEveryLengthAndOffsetIsChecked() throws Exception {
    for (int offset = 0; offset < 9; offset++) {
      for (int len = 0; len < 40; len++) {
        byte[] a = new byte[offset + len + 9];
        Arrays.fill(a, (byte) 'a');
        a[offset + len] = (byte) 0x80; // just past the payload: must not be looked at
        if (offset > 0) {
          a[offset - 1] = (byte) 0xC3; // just before it: neither
        }
        assertEquals("a".repeat(len), StrictUtf8.whole(payload(a, offset, len)), "offset " + offset + " len " + len);
        for (int bad = 0; bad < len; bad++) {
          a[offset + bad] = (byte) 0xFF;
          ByteBuffer in = payload(a, offset, len);
          InvalidDataException e = assertThrows(InvalidDataException.class, () -> StrictUtf8.whole(in),
              "offset " + offset + " len " + len + " bad at " + bad);
          assertEquals(CloseFrame.NO_UTF8, e.getCloseCode());
          a[offset + bad] = 'a';
        }
      }
    }
  }

  @Test
  void multibyteTextAtAnOffsetIsDecodedExactly() throws Exception {
    String text = "{\"data\":\"é € 中 \uD83D\uDE00\"}";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    for (int offset = 0; offset < 9; offset++) {
      byte[] a = new byte[offset + utf8.length + 1];
      System.arraycopy(utf8, 0, a, offset, utf8.length);
      a[a.length - 1] = (byte) 0xE2; // the start of a code point, past the payload
      ByteBuffer in = payload(a, offset, utf8.length);
      assertEquals(text, StrictUtf8.whole(in));
      assertEquals(0, in.remaining(), "the message is consumed");
    }
  }

  @Test
  void invalidUtf8AfterALongAsciiRunStillFails1007() {
    byte[] text = new byte[100];
    Arrays.fill(text, (byte) 'x');
    text[97] = (byte) 0xC0; // an overlong form's lead byte
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> StrictUtf8.whole(payload(text, 0, 99)));
    assertEquals(CloseFrame.NO_UTF8, e.getCloseCode());
  }

  /** The payload as the parser hands it on: a slice of a larger array, with its own offset into it. */
  private static ByteBuffer payload(byte[] a, int offset, int len) {
    return ByteBuffer.wrap(a, offset, len).slice();
  }
}
