package dev.loft.server.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.RawJson;
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
    int overhead = FrameCodec.DEFAULT.encode(ping(0)).length(); // a ping whose data is ""
    for (int length : new int[] {overhead, 125, 126, 65_535, 65_536, 200_000}) {
      Frame ping = ping(length - overhead);
      String message = FrameCodec.DEFAULT.encode(ping);
      assertEquals(length, message.length(), "the message is as long as the case needs");
      OutboundFrame frame = OutboundFrame.encode(FrameCodec.DEFAULT, ping);
      ByteBuffer payload = frame.payload();
      assertEquals(length, payload.remaining(), "length " + length);
      assertEquals(message, StandardCharsets.UTF_8.decode(payload).toString());
      assertEquals(OutboundFrame.headerSize(length) + length, frame.size());
    }
  }

  @Test
  void readingThePayloadDoesNotMoveAnotherReceiversView() {
    OutboundFrame frame = OutboundFrame.encode(FrameCodec.DEFAULT, ping(3));
    int length = FrameCodec.DEFAULT.encode(ping(3)).length();
    ByteBuffer a = frame.payload();
    a.get(new byte[a.remaining()]);
    assertEquals(length, frame.payload().remaining());
    assertEquals(frame.size(), frame.buffer().remaining());
  }

  /** A ping whose data is a JSON string of {@code chars} x's. */
  private static Frame ping(int chars) {
    return new Frame.Ping(new RawJson("\"" + "x".repeat(chars) + "\""));
  }
}
