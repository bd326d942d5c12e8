package dev.loft.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StrictUtf8} alone (the socket-level cases are in {@link InboundFramesConformToRfc6455Test}):
 * a message cut into three fragments at any two points, inside 2-, 3- and 4-byte sequences
 * included, decodes to the same String as the whole; sequences the RFC forbids fail with 1007
 * whole and fragmented, and also when the bad byte is the first of the next fragment.
 */
class TextSplitAnywhereDecodesToTheSameStringTest {
  private static final String TEXT = "a\u00e9\u20ac\ud83d\ude00z\u00df\u4e2d\ud800\udf48!"; // 1, 2, 3, 4, 1, 2, 3, 4, 1 bytes

  @Test
  void threeFragmentsCutAtAnyTwoBytesGiveTheWholeText() throws InvalidDataException {
    byte[] utf8 = TEXT.getBytes(StandardCharsets.UTF_8);
    StrictUtf8 decoder = new StrictUtf8();
    for (int first = 0; first <= utf8.length; first++) {
      for (int second = first; second <= utf8.length; second++) {
        assertNull(decoder.fragment(ByteBuffer.wrap(utf8, 0, first), false));
        assertNull(decoder.fragment(ByteBuffer.wrap(utf8, first, second - first), false));
        String text = decoder.fragment(ByteBuffer.wrap(utf8, second, utf8.length - second), true);
        assertEquals(TEXT, text, "cut at " + first + " and " + second);
        assertEquals(0, decoder.heldBytes(), "nothing held after the last fragment");
      }
    }
    assertEquals(TEXT, StrictUtf8.whole(ByteBuffer.wrap(utf8)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "c080", // overlong NUL
      "e08080", // overlong 3-byte
      "f0808080", // overlong 4-byte
      "eda080", // UTF-16 surrogate U+D800
      "edbfbf", // surrogate U+DFFF
      "f4908080", // past U+10FFFF
      "ff", // never in UTF-8
      "80", // continuation byte alone
      "e282", // truncated at the end of the message
      "ce", // truncated 2-byte
  })
  void forbiddenSequencesFailWith1007WholeAndInFragments(String hex) {
    byte[] bad = HexFormat.of().parseHex("41" + hex + "42".repeat(hex.equals("e282") || hex.equals("ce") ? 0 : 1));
    StrictUtf8 decoder = new StrictUtf8();
    assertEquals(CloseFrame.NO_UTF8,
        assertThrows(InvalidDataException.class, () -> StrictUtf8.whole(ByteBuffer.wrap(bad))).getCloseCode());
    for (int cut = 1; cut < bad.length; cut++) {
      StrictUtf8 fragments = new StrictUtf8();
      int at = cut;
      InvalidDataException e = assertThrows(InvalidDataException.class, () -> {
        fragments.fragment(ByteBuffer.wrap(bad, 0, at), false);
        fragments.fragment(ByteBuffer.wrap(bad, at, bad.length - at), true);
      }, () -> hex + " cut at " + at);
      assertEquals(CloseFrame.NO_UTF8, e.getCloseCode());
    }
  }
}
