package dev.loft.protocol;

import java.security.SecureRandom;
import java.util.Locale;

/** Peer ids: 40 hexadecimal characters, either case (as PeerPigeon accepts them). */
public final class PeerIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PeerIds() {}

  public static boolean isValid(String id) {
    if (id == null || id.length() != ProtocolLimits.PEER_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        return false;
      }
    }
    return true;
  }

  /**
   * The one form of an id the hub knows a peer by: lower case. Ids are hex, so {@code AB…} and
   * {@code ab…} are the same peer, and must not be two (two registry slots, one target).
   */
  public static String normalize(String id) {
    return id == null ? null : id.toLowerCase(Locale.ROOT);
  }

  /** A fresh random id in lower case. */
  public static String random() {
    byte[] bytes = new byte[ProtocolLimits.PEER_ID_LENGTH / 2];
    RANDOM.nextBytes(bytes);
    char[] out = new char[ProtocolLimits.PEER_ID_LENGTH];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(out);
  }
}
