package dev.loft.server.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.RawJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hub encodes every frame it sends straight into UTF-8 ({@link Utf8Writer}), no longer through
 * {@code String.getBytes}: any byte it wrote differently (a surrogate pair split between two
 * writes, a lone surrogate, a frame larger than the reused buffer) would reach peers as text the
 * old path never sent.
 */
class Utf8WriterNeverEncodesOtherwiseThanGetBytesTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "", "plain ascii {\"a\":1}", "é à ü", "中文 テキスト", "emoji \uD83D\uDE00 and \uD83C\uDF89",
      "lone high \uD800 then text", "lone low \uDC00", "high at the end \uD83D", "\uD83D\uD83D\uDE00",
      "\u0000\u007F\u0080\u07FF\u0800\uFFFF"})
  void encodesLikeGetBytes(String text) {
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), encode(text, new Random(1), true));
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), encode(text, new Random(1), false));
  }

  @Test
  void randomTextInRandomPiecesEncodesLikeGetBytes() {
    Random random = new Random(42);
    char[] alphabet = {'a', 'b', 'c', 'd', 'e', 'f', 'g', '"', '\\', 'é', '中', '\uD83D', '\uDE00', '\uDC00', '\u0080', '\u07FF', '\uFFFF'};
    for (int round = 0; round < 2_000; round++) {
      char[] chars = new char[random.nextInt(400)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String text = new String(chars);
      assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), encode(text, random, random.nextBoolean()), text);
    }
  }

  @Test
  void aFrameLargerThanTheReusedBufferIsWhole() {
    String data = "\"" + "x".repeat(3 * Utf8Writer.MAX_KEPT_BYTES) + "é\"";
    Frame frame = new Frame.TopicMessage("t", "sender", new RawJson(data), 1L);
    OutboundFrame big = OutboundFrame.encode(FrameCodec.DEFAULT, frame);
    OutboundFrame small = OutboundFrame.encode(FrameCodec.DEFAULT, new Frame.TopicMessage("t", "s", new RawJson("1"), 1L));
    assertEquals(ByteBuffer.wrap(FrameCodec.DEFAULT.encode(frame).getBytes(StandardCharsets.UTF_8)), big.payload());
    assertEquals(ByteBuffer.wrap(
        FrameCodec.DEFAULT.encode(new Frame.TopicMessage("t", "s", new RawJson("1"), 1L)).getBytes(StandardCharsets.UTF_8)),
        small.payload(), "the writer dropped after the big frame leaves the next one intact");
  }

  /** {@code text} written in random pieces, as chars or as strings. */
  private static byte[] encode(String text, Random random, boolean asStrings) {
    Utf8Writer out = Utf8Writer.reused();
    int i = 0;
    while (i < text.length()) {
      int n = Math.min(text.length() - i, 1 + random.nextInt(random.nextBoolean() ? 7 : 120));
      if (asStrings && random.nextInt(4) == 0) { // a whole String, as JsonWriter writes an unescaped value
        String piece = text.substring(i, i + n);
        out.write(piece, 0, piece.length());
        i += n;
        continue;
      }
      if (n == 1 && random.nextBoolean()) {
        out.write(text.charAt(i));
      } else if (asStrings) {
        out.write(text, i, n);
      } else {
        out.write(text.toCharArray(), i, n);
      }
      i += n;
    }
    out.finish();
    return Arrays.copyOf(out.bytes(), out.length());
  }
}
