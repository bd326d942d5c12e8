package dev.loft.stress.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The client counts a connection as open only after a 101 with the right Sec-WebSocket-Accept
 * (RFC 6455 section 4.1): a proxy's or a busy hub's error page must not be read as frames.
 */
class HandshakeAnswerIsCheckedTest {
  private static final URI HUB = URI.create("ws://127.0.0.1:3000/?peerId=abc");

  @Test
  void theAcceptIsTheRfcsDigestOfTheKey() {
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.accept("dGhlIHNhbXBsZSBub25jZQ==")); // RFC 6455, 1.3
  }

  @Test
  void theRequestKeepsThePathQueryAndPort() {
    String request = new String(new Handshake(HUB).request(), StandardCharsets.ISO_8859_1);

    assertTrue(request.startsWith("GET /?peerId=abc HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n"), request);
    assertTrue(request.endsWith("Sec-WebSocket-Version: 13\r\n\r\n"), request);
  }

  @Test
  void anAnswerCutByReadsIsTakenWholeAndTheFramesAfterItAreLeft() throws Exception {
    Handshake h = new Handshake(HUB);
    byte[] answer = (ok(h) + "FRAMES").getBytes(StandardCharsets.ISO_8859_1);
    int cut = answer.length - 8; // inside the blank line that ends the head

    assertEquals(-1, h.feed(answer, 0, cut));
    assertEquals(answer.length - "FRAMES".length() - cut, h.feed(answer, cut, answer.length - cut));
  }

  @Test
  void aWrongAcceptIsRefused() {
    Handshake h = new Handshake(HUB);
    byte[] answer = ok(h).replace(Handshake.accept(key(h)), Handshake.accept("another key"))
        .getBytes(StandardCharsets.ISO_8859_1);

    IOException e = assertThrows(IOException.class, () -> h.feed(answer, 0, answer.length));
    assertTrue(e.getMessage().contains("Sec-WebSocket-Accept"), e.getMessage());
  }

  @Test
  void anAnswerOtherThan101IsRefusedWithItsStatusLine() {
    Handshake h = new Handshake(HUB);
    byte[] answer = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    IOException e = assertThrows(IOException.class, () -> h.feed(answer, 0, answer.length));
    assertEquals("handshake refused: HTTP/1.1 429 Too Many Requests", e.getMessage());
  }

  @Test
  void anAnswerThatNeverEndsIsRefused() throws Exception {
    Handshake h = new Handshake(HUB);
    byte[] header = ("HTTP/1.1 101 Switching Protocols\r\nX-Junk: " + "j".repeat(20_000)).getBytes(StandardCharsets.ISO_8859_1);

    IOException e = assertThrows(IOException.class, () -> h.feed(header, 0, header.length));
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
  }

  private static String ok(Handshake h) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + Handshake.accept(key(h)) + "\r\n\r\n";
  }

  private static String key(Handshake h) {
    Matcher m = Pattern.compile("Sec-WebSocket-Key: (\\S+)\r\n").matcher(new String(h.request(), StandardCharsets.ISO_8859_1));
    assertTrue(m.find());
    return m.group(1);
  }
}
