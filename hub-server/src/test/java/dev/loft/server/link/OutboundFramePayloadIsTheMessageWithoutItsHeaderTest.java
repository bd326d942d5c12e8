package dev.loft.server.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A transport that is not a WebSocket writes a message's bytes without the WebSocket header; at
 * every header size (7-, 16- and 64-bit lengths) the payload view must be exactly the message.
 */
class OutboundFramePayloadIsTheMessageWithoutItsHeaderTest {

  @Test
  void payloadIsTheMessageAtEveryHeaderSize() {
    for (int length : new int[] {0, 125, 126, 65_535, 65_536, 200_000}) {
      String message = "x".repeat(length);
      OutboundFrame frame = OutboundFrame.text(message);
      ByteBuffer payload = frame.payload();
      assertEquals(length, payload.remaining(), "length " + length);
      assertEquals(message, StandardCharsets.UTF_8.decode(payload).toString());
      assertEquals(OutboundFrame.headerSize(length) + length, frame.size());
    }
  }

  @Test
  void readingThePayloadDoesNotMoveAnotherReceiversView() {
    OutboundFrame frame = OutboundFrame.text("{\"type\":\"ping\"}");
    ByteBuffer a = frame.payload();
    a.get(new byte[a.remaining()]);
    assertEquals(15, frame.payload().remaining());
    assertEquals(frame.size(), frame.buffer().remaining());
  }
}
