package dev.loft.stress.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A server must close on an unmasked client frame (RFC 6455 section 5.1), and a wrong key garbles every frame. */
class ClientFramesAreMaskedWithTheirKeyTest {
  private static final byte[] KEY = {(byte) 0x37, (byte) 0xFA, (byte) 0x21, (byte) 0x3D};

  @ParameterizedTest(name = "{0} bytes")
  @CsvSource({"0, 2", "5, 2", "125, 2", "126, 4", "65535, 4", "65536, 10"})
  void theMaskBitAndTheKeyStandBeforeThePayload(int length, int lengthBytes) {
    byte[] payload = payload(length);

    byte[] frame = Frames.encode(Frames.TEXT, true, payload, 0, length, KEY);

    assertEquals(0x81, frame[0] & 0xFF, "FIN + text");
    assertTrue((frame[1] & 0x80) != 0, "mask bit");
    assertEquals(lengthBytes + 4 + length, frame.length);
    assertArrayEquals(KEY, Arrays.copyOfRange(frame, lengthBytes, lengthBytes + 4), "the key as given");
    assertArrayEquals(payload, unmask(frame, lengthBytes), "payload XOR key[i % 4]");
  }

  @Test
  void thePayloadIsNotSentInTheClear() {
    byte[] payload = "a".repeat(64).getBytes(StandardCharsets.US_ASCII);

    byte[] frame = Frames.encode(Frames.TEXT, true, payload, 0, payload.length, KEY);

    assertNotEquals(new String(payload, StandardCharsets.US_ASCII),
        new String(frame, 6, payload.length, StandardCharsets.ISO_8859_1));
    assertEquals("a".repeat(64), new String(unmask(frame, 2), StandardCharsets.US_ASCII));
  }

  @Test
  void everyClientFrameGetsAKeyOfItsOwn() {
    byte[] payload = payload(16);

    byte[] first = Frames.client(Frames.TEXT, payload, 0, payload.length);
    byte[] second = Frames.client(Frames.TEXT, payload, 0, payload.length);

    assertArrayEquals(payload, unmask(first, 2));
    assertArrayEquals(payload, unmask(second, 2));
    assertNotEquals(Arrays.toString(Arrays.copyOfRange(first, 2, 6)), Arrays.toString(Arrays.copyOfRange(second, 2, 6)),
        "two keys in a row alike (1 in 2^32)");
  }

  @Test
  void onlyThePayloadsSliceIsMasked() {
    byte[] buf = "--hello--".getBytes(StandardCharsets.US_ASCII);

    byte[] frame = Frames.encode(Frames.TEXT, true, buf, 2, 5, KEY);

    assertEquals(2 + 4 + 5, frame.length);
    assertEquals("hello", new String(unmask(frame, 2), StandardCharsets.US_ASCII));
  }

  /** The payload of a masked frame whose header (before the key) is {@code headerBytes} long, unmasked. */
  private static byte[] unmask(byte[] frame, int headerBytes) {
    byte[] key = Arrays.copyOfRange(frame, headerBytes, headerBytes + 4);
    byte[] p = Arrays.copyOfRange(frame, headerBytes + 4, frame.length);
    for (int i = 0; i < p.length; i++) {
      p[i] ^= key[i & 3];
    }
    return p;
  }

  private static byte[] payload(int length) {
    byte[] p = new byte[length];
    for (int i = 0; i < length; i++) {
      p[i] = (byte) ('a' + i % 26);
    }
    return p;
  }
}
