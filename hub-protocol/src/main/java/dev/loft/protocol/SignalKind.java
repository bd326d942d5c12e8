package dev.loft.protocol;

/** The three WebRTC signals PeerPigeon relays between peers. */
public enum SignalKind {
  OFFER(FrameTypes.OFFER),
  ANSWER(FrameTypes.ANSWER),
  ICE_CANDIDATE(FrameTypes.ICE_CANDIDATE);

  private final String wireType;

  SignalKind(String wireType) {
    this.wireType = wireType;
  }

  public String wireType() {
    return wireType;
  }

  /** The kind for a wire type, or null when it is not a signal. */
  public static SignalKind fromWire(String type) {
    switch (type) {
      case FrameTypes.OFFER:
        return OFFER;
      case FrameTypes.ANSWER:
        return ANSWER;
      case FrameTypes.ICE_CANDIDATE:
        return ICE_CANDIDATE;
      default:
        return null;
    }
  }
}
