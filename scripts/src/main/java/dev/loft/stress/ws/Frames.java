package dev.loft.stress.ws;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** RFC 6455 frame encoding (section 5.2); no socket in it, so that it can be tested byte for byte. */
public final class Frames {
  private Frames() {}

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** Control frames carry at most this much payload (section 5.5). */
  public static final int MAX_CONTROL_PAYLOAD = 125;

  /** A final client frame, masked with a fresh key: a server must refuse an unmasked one (section 5.1). */
  public static byte[] client(int opcode, byte[] payload, int off, int len) {
    byte[] key = new byte[4];
    ThreadLocalRandom.current().nextBytes(key);
    return encode(opcode, true, payload, off, len, key);
  }

  /**
   * One frame: {@code key} is the 4-byte masking key (a client's frames) or null (a server's). The
   * payload length takes 7 bits up to 125, 16 bits up to 65535, 64 bits beyond.
   */
  public static byte[] encode(int opcode, boolean fin, byte[] payload, int off, int len, byte[] key) {
    int ext = len <= 125 ? 0 : len <= 0xFFFF ? 2 : 8;
    int maskLen = key == null ? 0 : 4;
    byte[] f = new byte[2 + ext + maskLen + len];
    f[0] = (byte) ((fin ? 0x80 : 0) | opcode);
    int maskBit = key == null ? 0 : 0x80;
    if (ext == 0) {
      f[1] = (byte) (maskBit | len);
    } else if (ext == 2) {
      f[1] = (byte) (maskBit | 126);
      f[2] = (byte) (len >>> 8);
      f[3] = (byte) len;
    } else {
      f[1] = (byte) (maskBit | 127);
      long l = len;
      for (int k = 0; k < 8; k++) {
        f[2 + k] = (byte) (l >>> (56 - 8 * k));
      }
    }
    int at = 2 + ext;
    if (key == null) {
      System.arraycopy(payload, off, f, at, len);
      return f;
    }
    System.arraycopy(key, 0, f, at, 4);
    at += 4;
    byte m0 = key[0];
    byte m1 = key[1];
    byte m2 = key[2];
    byte m3 = key[3];
    int j = 0;
    for (; j + 3 < len; j += 4) { // every frame the generator sends passes here: four bytes a step
      f[at + j] = (byte) (payload[off + j] ^ m0);
      f[at + j + 1] = (byte) (payload[off + j + 1] ^ m1);
      f[at + j + 2] = (byte) (payload[off + j + 2] ^ m2);
      f[at + j + 3] = (byte) (payload[off + j + 3] ^ m3);
    }
    for (; j < len; j++) {
      f[at + j] = (byte) (payload[off + j] ^ key[j & 3]);
    }
    return f;
  }

  /** A close frame's payload: the code in two bytes, then the reason in UTF-8 (section 5.5.1). */
  public static byte[] closePayload(int code, String reason) {
    byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return p;
  }
}
