package dev.loft.protocol;

/**
 * Checks on single field values. Each throws a {@link ProtocolException} with the code a client
 * can act on; none accepts null (absent fields are the caller's decision).
 */
public final class Validation {
  private Validation() {}

  public static String peerId(String field, String value) throws ProtocolException {
    if (!PeerIds.isValid(value)) {
      throw new ProtocolException(
          ErrorCode.BAD_PEER_ID,
          field + " must be " + ProtocolLimits.PEER_ID_LENGTH + " hexadecimal characters");
    }
    return value;
  }

  public static String networkName(String value) throws ProtocolException {
    if (value.isEmpty()
        || value.length() > ProtocolLimits.MAX_NETWORK_NAME_LENGTH
        || hasControlChars(value)) {
      throw new ProtocolException(
          ErrorCode.BAD_NETWORK,
          "networkName must be 1-"
              + ProtocolLimits.MAX_NETWORK_NAME_LENGTH
              + " characters without control characters");
    }
    return value;
  }

  /** Topics: 1-128 visible ASCII characters (0x21-0x7E), no spaces; no wildcards are implied. */
  public static String topic(String value) throws ProtocolException {
    boolean ok = !value.isEmpty() && value.length() <= ProtocolLimits.MAX_TOPIC_LENGTH;
    for (int i = 0; ok && i < value.length(); i++) {
      char c = value.charAt(i);
      ok = c >= 0x21 && c <= 0x7E;
    }
    if (!ok) {
      throw new ProtocolException(
          ErrorCode.BAD_TOPIC,
          "topic must be 1-"
              + ProtocolLimits.MAX_TOPIC_LENGTH
              + " visible ASCII characters without spaces");
    }
    return value;
  }

  public static String requestId(String value) throws ProtocolException {
    if (value.isEmpty()
        || value.length() > ProtocolLimits.MAX_REQUEST_ID_LENGTH
        || hasControlChars(value)) {
      throw new ProtocolException(
          ErrorCode.BAD_ID,
          "id must be 1-"
              + ProtocolLimits.MAX_REQUEST_ID_LENGTH
              + " characters without control characters");
    }
    return value;
  }

  private static boolean hasControlChars(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
