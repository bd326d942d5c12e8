package dev.loft.protocol;

/** Wire field names of the frame envelope. */
final class FieldNames {
  private FieldNames() {}

  static final String TYPE = "type";
  static final String ID = "id";
  static final String TOPIC = "topic";
  static final String CODE = "code";
  static final String ERROR = "error";
  static final String DATA = "data";
  static final String NETWORK_NAME = "networkName";
  static final String FROM_PEER_ID = "fromPeerId";
  static final String TARGET_PEER_ID = "targetPeerId";
  static final String TIMESTAMP = "timestamp";
  static final String PEER_ID = "peerId";
  static final String IS_HUB = "isHub";
}
