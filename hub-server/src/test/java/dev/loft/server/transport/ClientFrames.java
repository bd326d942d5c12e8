package dev.loft.server.transport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Client frames as raw bytes, for {@link dev.loft.server.support.RawWebSocket#sendBytes}: any first
 * byte (FIN, reserved bits, any opcode), any declared length, masked with a random key (never a
 * zero byte, so a parser that skips unmasking corrupts the payload) or not masked at all.
 */
final class ClientFrames {
  static final int FIN = 0x80;
  static final int RSV1 = 0x40;
  static final int RSV2 = 0x20;
  static final int RSV3 = 0x10;
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  private static final Random RANDOM = new Random(6455); // the same keys every run

  private ClientFrames() {}

  /** A masked frame: {@code firstByte} (FIN | RSVs | opcode) and the shortest length encoding. */
  static byte[] frame(int firstByte, byte[] payload) {
    return frame(firstByte, payload, true);
  }

  static byte[] frame(int firstByte, byte[] payload, boolean masked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
    out.write(firstByte);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      out.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(maskBit | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(maskBit | 127);
      writeLong(out, payload.length);
    }
    byte[] body = payload.clone();
    if (masked) {
      byte[] key = key();
      out.writeBytes(key);
      for (int i = 0; i < body.length; i++) {
        body[i] ^= key[i % 4];
      }
    }
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** The header alone of a masked frame declaring {@code length} bytes in the 64-bit form. */
  static byte[] header64(int firstByte, long length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(14);
    out.write(firstByte);
    out.write(0x80 | 127);
    writeLong(out, length);
    out.writeBytes(key());
    return out.toByteArray();
  }

  static byte[] text(String text) {
    return frame(FIN | TEXT, utf8(text));
  }

  /** A close frame's payload: the code, then the reason's bytes. */
  static byte[] closePayload(int code, byte[] reason) {
    byte[] payload = new byte[2 + reason.length];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(reason, 0, payload, 2, reason.length);
    return payload;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] range(byte[] bytes, int from, int to) {
    byte[] r = new byte[to - from];
    System.arraycopy(bytes, from, r, 0, r.length);
    return r;
  }

  private static byte[] key() {
    byte[] key = new byte[4];
    for (int i = 0; i < 4; i++) {
      key[i] = (byte) (1 + RANDOM.nextInt(255));
    }
    return key;
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift) & 0xFF);
    }
  }
}
