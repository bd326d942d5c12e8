package dev.loft.stress.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A payload length is written in 7, 16 or 64 bits (RFC 6455 section 5.2): an off-by-one at 125/126
 * or 65535/65536 writes a header the other side reads as a different length.
 */
class FrameLengthsSurviveEveryHeaderSizeTest {
  @ParameterizedTest(name = "{0} bytes: {1}-byte header")
  @CsvSource({"0, 2", "125, 2", "126, 4", "65535, 4", "65536, 10", "70000, 10"})
  void aPayloadAtALengthBoundaryIsNotReadAsAnotherLength(int length, int headerBytes) throws Exception {
    String payload = "x".repeat(length);
    byte[] frame = Recorder.text(payload);

    assertEquals(headerBytes + length, frame.length, "header size");
    assertEquals(List.of("message:" + payload), new Recorder().feed(frame).events);
  }

  @ParameterizedTest(name = "{0} bytes")
  @CsvSource({"125, 125", "126, 126", "65535, 65535", "65536, 65536"})
  void theLengthFieldHoldsTheLengthInNetworkByteOrder(int length, long expected) {
    byte[] frame = Recorder.text("y".repeat(length));

    long written = switch (frame[1] & 0x7F) {
      case 126 -> ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
      case 127 -> {
        long l = 0;
        for (int k = 0; k < 8; k++) {
          l = (l << 8) | (frame[2 + k] & 0xFF);
        }
        yield l;
      }
      default -> frame[1] & 0x7F;
    };
    assertEquals(expected, written);
  }

  @ParameterizedTest(name = "{0} bytes")
  @CsvSource({"0", "125", "126", "65535", "65536"})
  void binaryPayloadComesBackByteForByte(int length) throws Exception {
    byte[] payload = new byte[length];
    for (int i = 0; i < length; i++) {
      payload[i] = (byte) (i * 31);
    }
    byte[] frame = Recorder.server(Frames.BINARY, true, payload);

    assertArrayEquals(payload, new Recorder().feed(frame).lastMessage);
  }
}
