package dev.loft.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The eight-bytes-at-a-time unmask must XOR every payload byte with key byte (i mod 4), as RFC
 * 6455 5.3 says and the library does byte by byte: whatever the length (tails of 0 to 7 bytes),
 * the offset in the buffer, and the buffer's byte order, and without touching the key or the bytes
 * around the payload.
 */
class BulkUnmaskGivesTheSameBytesAsOneByteAtATimeTest {
  @Test
  void everyLengthOffsetAndByteOrderUnmasksLikeTheRfcLoop() {
    Random random = new Random(6455);
    for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
      for (int offset = 0; offset < 10; offset++) {
        for (int length = 0; length <= 70; length++) {
          byte[] bytes = new byte[offset + 4 + length + 5];
          random.nextBytes(bytes);
          byte[] expected = bytes.clone();
          int keyAt = offset;
          int from = offset + 4;
          for (int i = 0; i < length; i++) {
            expected[from + i] ^= bytes[keyAt + (i % 4)];
          }
          ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
          FastInboundDraft.unmask(b, keyAt, from, length);
          assertArrayEquals(expected, bytes, () -> order + " offset " + Arrays.toString(new int[] {keyAt, from}));
        }
      }
    }
  }
}
